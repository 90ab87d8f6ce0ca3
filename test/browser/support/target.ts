import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import WebSocket from 'ws';

/** What the scenarios run against: the dev fixture (default) or a running platform. */
export interface Target {
  baseUrl: string;
  admin: { email: string; password: string };
  /** Only the fixture can expire every session at once (the session-expiry scenario). */
  expireSessions?: () => Promise<void>;
  /** A user id with open connections (the disconnect scenario); on the fixture one is found in the list. */
  userId?: string;
  fixture: boolean;
  /** On a started platform: the close code each test client's connection ended with, by user id. */
  closeCodeOf?: (userId: string) => number | null;
  /** On a started platform: how many test clients are connected. */
  clients?: number;
  stop: () => Promise<void>;
}

const MAIN = fileURLToPath(new URL('../../../apps/beacon/dist/main.js', import.meta.url));
const CLIENTS = 50;

const FIXTURE = fileURLToPath(new URL('../../../apps/dashboard/dev/fixture-server.mjs', import.meta.url));

/**
 * BEACON_BROWSER_BASE_URL (e.g. http://127.0.0.1:8080) with BEACON_BROWSER_ADMIN_EMAIL and
 * BEACON_BROWSER_ADMIN_PASSWORD points the scenarios at a running platform (BEACON_BROWSER_USER_ID: a user
 * with connections to find and disconnect). Without it, the fixture is started on a free port.
 */
export async function startTarget(): Promise<Target> {
  if (process.env['BEACON_BROWSER_TARGET'] === 'platform') return startPlatform();
  const base = process.env['BEACON_BROWSER_BASE_URL'];
  if (base !== undefined && base !== '') {
    const email = process.env['BEACON_BROWSER_ADMIN_EMAIL'] ?? 'admin@localhost';
    const password = process.env['BEACON_BROWSER_ADMIN_PASSWORD'];
    if (password === undefined)
      throw new Error('BEACON_BROWSER_ADMIN_PASSWORD is required with BEACON_BROWSER_BASE_URL');
    return {
      baseUrl: base.replace(/\/$/, ''),
      admin: { email, password },
      userId: process.env['BEACON_BROWSER_USER_ID'],
      fixture: false,
      stop: async () => undefined,
    };
  }
  const child = spawn(process.execPath, [FIXTURE, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fixture did not start: ${out}`)), 30_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const m = /on (http:\/\/[^\s/]+)\/dashboard\//.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}: ${out}`)));
  });
  return {
    baseUrl,
    admin: { email: 'admin@localhost', password: 'beacon-admin-pass' },
    fixture: true,
    expireSessions: async () => {
      const res = await fetch(`${baseUrl}/__fixture/expire-sessions`, { method: 'POST' });
      if (!res.ok) throw new Error(`expire-sessions: ${res.status}`);
    },
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * BEACON_BROWSER_TARGET=platform: the real single process (`apps/beacon/dist/main.js`, what `npm start` runs)
 * on a fresh data dir, with 50 WebSocket clients of the development app (users user-1 … user-50, each on two
 * topics) and a publish every 100 ms, so the overview, topics and connections pages show live traffic.
 */
async function startPlatform(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'beacon-browser-'));
  const tokenKey = 'Br0wser-tier-token-key-2WqXk9LmZ4vT7nY1pR6sD';
  const secret = 'Br0wser-tier-push-secret-8HcQe3VbN5jK0tUaF2g';
  const admin = { email: 'admin@localhost', password: 'browser-tier-admin-pass' };
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      BEACON_DATA_DIR: dataDir,
      BEACON_HOST: '127.0.0.1',
      BEACON_PORT: '0',
      BEACON_GRPC_PORT: 'off',
      BEACON_LOG_LEVEL: 'warn',
      BEACON_DEV_APP_SECRET: secret,
      BEACON_DEV_APP_TOKEN_KEY: tokenKey,
      BEACON_ADMIN_EMAIL: admin.email,
      BEACON_ADMIN_PASSWORD: admin.password,
      BEACON_DRAIN_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`beacon did not start: ${out}`)), 30_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`beacon exited with ${code}: ${out}`)));
  });
  const closes = new Map<string, number | null>();
  const sockets: WebSocket[] = [];
  const key = new TextEncoder().encode(tokenKey);
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const user = `user-${i + 1}`;
      const token = await new SignJWT({ sub: user })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(key);
      const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws?app=dev&token=${token}`, {
        headers: { 'user-agent': 'beacon-browser-tier' },
      });
      sockets.push(ws);
      closes.set(user, null);
      ws.on('close', (code) => closes.set(user, code));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ type: 'subscribe', topics: ['news.live', `room.${i % 5}`] }));
    }),
  );
  let n = 0;
  const publisher = setInterval(() => {
    void fetch(`${baseUrl}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: n % 2 === 0 ? 'news.live' : `room.${n % 5}`, data: { n: n++ } }),
    }).catch(() => undefined);
  }, 100);
  return {
    baseUrl,
    admin,
    fixture: false,
    clients: CLIENTS,
    closeCodeOf: (user) => closes.get(user) ?? null,
    stop: async () => {
      clearInterval(publisher);
      for (const ws of sockets) ws.terminate();
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
