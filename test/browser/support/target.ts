import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the scenarios run against: the dev fixture (default) or a running platform. */
export interface Target {
  baseUrl: string;
  admin: { email: string; password: string };
  /** Only the fixture can expire every session at once (the session-expiry scenario). */
  expireSessions?: () => Promise<void>;
  /** A user id with open connections (the disconnect scenario); on the fixture one is found in the list. */
  userId?: string;
  fixture: boolean;
  stop: () => Promise<void>;
}

const FIXTURE = fileURLToPath(new URL('../../../apps/dashboard/dev/fixture-server.mjs', import.meta.url));

/**
 * BEACON_BROWSER_BASE_URL (e.g. http://127.0.0.1:8080) with BEACON_BROWSER_ADMIN_EMAIL and
 * BEACON_BROWSER_ADMIN_PASSWORD points the scenarios at a running platform (BEACON_BROWSER_USER_ID: a user
 * with connections to find and disconnect). Without it, the fixture is started on a free port.
 */
export async function startTarget(): Promise<Target> {
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
