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
  /** In a cluster: each gateway's node id and how many of the test clients it holds (user-1 on the first). */
  gateways?: { nodeId: string; clients: number }[];
  /**
   * On a started platform: connects clients of `appKey` (tokens signed with its HS256 token key), one per
   * gateway (the single process counts as one), for the disable scenario.
   */
  appClients?: (appKey: string, tokenKey: string) => Promise<AppClients>;
  stop: () => Promise<void>;
}

/** Test clients of one app: how each connection ended, and when. */
export interface AppClients {
  closes: () => { code: number | null; at: number | null }[];
  stop: () => void;
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
  if (process.env['BEACON_BROWSER_TARGET'] === 'cluster') return startCluster();
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
  const live = await liveClients([`${baseUrl.replace('http', 'ws')}/ws`], 'dev', tokenKey, (body) =>
    fetch(`${baseUrl}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body,
    }),
  );
  return {
    baseUrl,
    admin,
    fixture: false,
    clients: CLIENTS,
    closeCodeOf: live.closeCodeOf,
    appClients: (appKey, key) => appClients([`${baseUrl.replace('http', 'ws')}/ws`], appKey, key),
    stop: async () => {
      live.stop();
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * BEACON_BROWSER_TARGET=cluster: the split deployment as real processes (test/support/cluster.ts: a
 * topic-service, two gateways, the push-api serving /dashboard/ and the admin API), with the same 50
 * clients spread over both gateways (odd users on the first, even ones on the second) and a publish every
 * 100 ms through the push-api.
 */
async function startCluster(): Promise<Target> {
  // loaded here: the cluster helpers need the built libraries (`npm run build`), the fixture tier does not
  const { TestCluster } = await import('../../support/cluster.js');
  const { ADMIN_EMAIL, ADMIN_PASSWORD } = await import('../../support/beacon.js');
  const cluster = await TestCluster.start({ gateways: 2 });
  try {
    const urls = [0, 1].map((g) => `${cluster.gatewayUrl(g).replace('http', 'ws')}/ws`);
    const live = await liveClients(urls, cluster.app.key, cluster.app.tokenKey, (body) =>
      fetch(`${cluster.pushUrl}/v1/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cluster.app.secret}`, 'content-type': 'application/json' },
        body,
      }),
    );
    return {
      baseUrl: cluster.pushUrl,
      admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      fixture: false,
      clients: CLIENTS,
      userId: 'user-2', // on the second gateway
      gateways: [0, 1].map((g) => ({ nodeId: cluster.gatewayNodeId(g), clients: CLIENTS / 2 })),
      closeCodeOf: live.closeCodeOf,
      appClients: (appKey, key) => appClients(urls, appKey, key),
      stop: async () => {
        live.stop();
        await cluster.stop();
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

const token = (tokenKey: string, sub: string): Promise<string> =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(tokenKey));

/** A client of `appKey`, once the server's `connected` frame says it was let in. */
function connect(url: string, appKey: string, jwt: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url}?app=${encodeURIComponent(appKey)}&token=${jwt}`, {
    headers: { 'user-agent': 'beacon-browser-tier' },
  });
  return new Promise((resolve, reject) => {
    const closed = (code: number) => reject(new Error(`${appKey} client refused: close ${code}`));
    ws.once('error', reject).once('close', closed);
    ws.once('message', () => {
      ws.off('close', closed);
      resolve(ws);
    });
  });
}

/**
 * 50 clients (user-1 … user-50, each on `news.live` and one of five rooms), user i on `urls[(i - 1) %
 * urls.length]`, and a publish every 100 ms, alternating between `news.live` and the rooms.
 */
async function liveClients(
  urls: string[],
  appKey: string,
  tokenKey: string,
  publish: (body: string) => Promise<unknown>,
): Promise<{ closeCodeOf: (user: string) => number | null; stop: () => void }> {
  const closes = new Map<string, number | null>();
  const sockets: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const user = `user-${i + 1}`;
      const ws = await connect(urls[i % urls.length] ?? '', appKey, await token(tokenKey, user));
      sockets.push(ws);
      closes.set(user, null);
      ws.on('close', (code) => closes.set(user, code));
      ws.send(JSON.stringify({ type: 'subscribe', topics: ['news.live', `room.${i % 5}`] }));
    }),
  );
  let n = 0;
  const publisher = setInterval(() => {
    const body = JSON.stringify({ topic: n % 2 === 0 ? 'news.live' : `room.${n % 5}`, data: { n: n++ } });
    void publish(body).catch(() => undefined);
  }, 100);
  return {
    closeCodeOf: (user) => closes.get(user) ?? null,
    stop: () => {
      clearInterval(publisher);
      for (const ws of sockets) ws.terminate();
    },
  };
}

async function appClients(urls: string[], appKey: string, tokenKey: string): Promise<AppClients> {
  const ends = urls.map(() => ({ code: null as number | null, at: null as number | null }));
  const sockets = await Promise.all(
    urls.map(async (url, i) => {
      const ws = await connect(url, appKey, await token(tokenKey, `${appKey}-user-${i + 1}`));
      ws.on('close', (code) => (ends[i] = { code, at: Date.now() }));
      return ws;
    }),
  );
  return {
    closes: () => ends.map((e) => ({ ...e })),
    stop: () => {
      for (const ws of sockets) ws.terminate();
    },
  };
}
