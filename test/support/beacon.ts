import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { startBeacon, type RunningBeacon, type StartOptions } from '../../apps/beacon/src/bootstrap.js';
import { loadConfig } from '../../apps/beacon/src/config.js';

export const DEV_KEY = 'devapp';
/** The dev app's push secret (backends) and HS256 token key (client tokens): separate, ≥ 256 bits each. */
export const DEV_SECRET = 'dS7_kq2VbN4xYp9LmT3wRz8HjF6cAe1GuQ0oIiKsXvB';
export const DEV_TOKEN_KEY = 'tK9-pR2sW5yB8eH1nM4qV7zC0fJ3gL6aD_xUoIiEbNc';
/** The first operator every test platform creates (role admin). */
export const ADMIN_EMAIL = 'admin@localhost';
export const ADMIN_PASSWORD = 'test-admin-password-1';

export interface TestBeacon extends RunningBeacon {
  dataDir: string;
  wsUrl(app?: string, token?: string): string;
  /** Calls the push API with an app secret; returns status and parsed JSON body. */
  api(
    method: string,
    path: string,
    body?: unknown,
    secret?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** Boots the real single-process platform in this process: real HTTP and WebSocket on 127.0.0.1:0, SQLite in a temp dir. */
export async function startTestBeacon(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestBeacon> {
  const dataDir = mkdtempSync(join(tmpdir(), 'beacon-test-'));
  const config = loadConfig({
    BEACON_PORT: '0',
    // gRPC needs a fixed port (see config.ts): off unless a test passes one from freePort()
    BEACON_GRPC_PORT: 'off',
    BEACON_HOST: '127.0.0.1',
    BEACON_DATA_DIR: dataDir,
    BEACON_DEV_APP_KEY: DEV_KEY,
    BEACON_DEV_APP_SECRET: DEV_SECRET,
    BEACON_DEV_APP_TOKEN_KEY: DEV_TOKEN_KEY,
    BEACON_LOG_LEVEL: 'error',
    BEACON_AUDIT_FLUSH_MS: '20',
    BEACON_ADMIN_EMAIL: ADMIN_EMAIL,
    BEACON_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...env,
  });
  const beacon = await startBeacon(config, options);
  const wsBase = beacon.url.replace('http', 'ws');
  return Object.assign(beacon, {
    dataDir,
    wsUrl(app = DEV_KEY, token?: string) {
      return `${wsBase}/ws?app=${encodeURIComponent(app)}${token === undefined ? '' : `&token=${token}`}`;
    },
    async api(method: string, path: string, body?: unknown, secret = DEV_SECRET) {
      const res = await fetch(`${beacon.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${secret}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
    },
    async stop() {
      await beacon.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** An HS256 client token signed with an app's token key (not its push secret). */
export function signToken(
  tokenKey: string,
  claims: Record<string, unknown>,
  expiresIn: string | number = '1h',
  kid?: string,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', ...(kid !== undefined && { kid }) })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(tokenKey));
}
