import { EventEmitter } from 'node:events';
import { createSecretKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MetricsRegistry } from '@beacon/metrics';
import { CloseCode } from '@beacon/protocol';
import { LocalRouter, ManualClock } from '@beacon/routing';
import { SignJWT } from 'jose';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/wait.js';
import type { AppDirectory, GatewayApp } from './app-directory.js';
import { ClientGateway } from './client-gateway.js';
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from './gateway.options.js';
import { permissionHooks } from './hook-chain.js';

const secret = createSecretKey(Buffer.alloc(32, 3));
const app: GatewayApp = {
  id: 'app-1',
  key: 'key-1',
  enabled: true,
  settings: { allowAnonymous: true, clientPublish: true, maxConnections: 100, maxTokenLifetimeSec: 3600 },
  tokenKeys: [{ kid: 'k1', alg: 'HS256', key: secret }],
};
const directory: AppDirectory = { findByKey: async (key) => (key === app.key ? app : null) };

/** The TCP socket under a ws: the hub writes pre-framed bytes to it. */
class FakeSocket extends EventEmitter {
  readonly remoteAddress = '127.0.0.1';
  writableLength = 0;
  writableNeedDrain = false;
  readonly writes: Buffer[] = [];
  write(b: Buffer): boolean {
    this.writes.push(b);
    return true;
  }
  cork(): void {}
  uncork(): void {}
}

/** A ws as the gateway drives it: `close` sends a close frame, `terminate` destroys (and ends) it. */
class FakeWs extends EventEmitter {
  closed: { code: number; reason: string } | undefined;
  terminated = false;
  pings = 0;
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.emit('close', this.closed?.code ?? 1006, Buffer.from(this.closed?.reason ?? ''));
  }
  ping(): void {
    this.pings++;
  }
}

/** Server frames written to the socket, parsed (unmasked text frames). */
function frames(socket: FakeSocket): Array<Record<string, unknown>> {
  return socket.writes.map((b) => {
    const len = (b[1] as number) & 0x7f;
    const start = len < 126 ? 2 : len === 126 ? 4 : 10;
    return JSON.parse(b.subarray(start).toString()) as Record<string, unknown>;
  });
}

const SWEEP_MS = 1_000;
let gateway: ClientGateway | undefined;
afterEach(() => {
  gateway?.stop();
  gateway = undefined;
});

function start(limits: Partial<GatewayLimits> = {}, apps: AppDirectory = directory) {
  const clock = new ManualClock(1_700_000_000_000);
  const gw = new ClientGateway(
    'n1',
    { ...DEFAULT_GATEWAY_LIMITS, ...limits },
    apps,
    new LocalRouter('n1'),
    [permissionHooks],
    new MetricsRegistry(),
    undefined,
    clock,
  );
  gw.start(SWEEP_MS);
  gateway = gw;
  const connect = (query: string) => {
    const ws = new FakeWs();
    const socket = new FakeSocket();
    const req = { socket, url: `/ws?app=${app.key}${query}`, headers: {} } as unknown as IncomingMessage;
    gw.connect(ws as unknown as WebSocket, req);
    return { ws, socket };
  };
  return { clock, gw, connect };
}

describe('ClientGateway on a manual clock', () => {
  it("closes a connection with 4002 when the clock passes its token's expiry, then destroys it after the grace", async () => {
    const { clock, gw, connect } = start({ idleTimeoutMs: 600_000, closeGraceMs: 5_000 });
    const exp = clock.now() / 1000 + 60;
    const token = await new SignJWT({ sub: 'u1', exp })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(secret);
    const { ws, socket } = connect(`&token=${token}`);
    await waitUntil(() => frames(socket).some((f) => f.type === 'connected'));
    expect(gw.hub.connectionCount()).toBe(1);

    clock.advance(59_000);
    expect(ws.closed).toBeUndefined();
    clock.advance(1_000); // the sweep at exp
    expect(ws.closed).toEqual({ code: CloseCode.TokenExpired, reason: 'token expired' });
    expect(gw.hub.connectionCount()).toBe(0);
    expect(gw.hub.stats().serverCloses[CloseCode.TokenExpired]).toBe(1);

    clock.advance(4_999);
    expect(ws.terminated).toBe(false);
    clock.advance(1);
    expect(ws.terminated).toBe(true);
  });

  it('pings an idle connection every interval and closes it with 4009 once it is silent past the timeout', async () => {
    const { clock, connect } = start({ pingIntervalMs: 25_000, idleTimeoutMs: 60_000 });
    const { ws, socket } = connect('');
    await waitUntil(() => frames(socket).some((f) => f.type === 'connected'));
    expect(frames(socket)[0]).toMatchObject({ heartbeat: { interval: 25_000, timeout: 60_000 } });

    clock.advance(25_000);
    expect(ws.pings).toBe(1);
    clock.advance(5_000);
    ws.emit('pong'); // a sign of life at 30 s: the idle timeout counts from here
    clock.advance(60_000);
    expect(ws.closed).toBeUndefined();
    expect(ws.pings).toBe(3); // at 25, 50 and 75 s
    clock.advance(SWEEP_MS);
    expect(ws.closed).toEqual({ code: CloseCode.HeartbeatTimeout, reason: 'heartbeat timeout' });
  });

  it('closes a connection that has not authenticated in time with 4001', () => {
    const stuck: AppDirectory = { findByKey: () => new Promise(() => undefined) };
    const { clock, gw, connect } = start({ authTimeoutMs: 10_000 }, stuck);
    const { ws } = connect('');
    clock.advance(9_999);
    expect(ws.closed).toBeUndefined();
    clock.advance(1);
    expect(ws.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'authentication timeout' });
    expect(gw.hub.connectionCount()).toBe(0);
  });
});
