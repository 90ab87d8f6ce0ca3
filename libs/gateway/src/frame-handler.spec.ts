import { MetricsRegistry } from '@beacon/metrics';
import { compilePatterns } from '@beacon/protocol';
import { ManualClock, type GatewayRouter } from '@beacon/routing';
import { describe, expect, it, vi } from 'vitest';
import { Connection, ConnState } from './connection.js';
import { FrameHandler } from './frame-handler.js';
import { DEFAULT_GATEWAY_LIMITS } from './gateway.options.js';
import { HookChain } from './hook-chain.js';
import type { GatewayHooks } from './hooks.js';
import { Hub } from './hub.js';

/** A FrameHandler over a real Hub, a connection whose socket records writes, and a manual clock. */
function setup(opts: { hooks?: GatewayHooks[]; publishRate?: number; publishBurst?: number } = {}) {
  const clock = new ManualClock();
  const hub = new Hub('n1', 1 << 20, new MetricsRegistry());
  const writes: Buffer[] = [];
  const raw = {
    writableLength: 0,
    writableNeedDrain: false,
    write: (b: Buffer) => writes.push(b),
    cork: () => undefined,
    uncork: () => undefined,
  };
  const limits = {
    frameRate: 100,
    frameBurst: 100,
    publishRate: opts.publishRate ?? 10,
    publishBurst: opts.publishBurst ?? 10,
    maxTopics: 10,
    maxDataBytes: 1024,
  };
  const conn = new Connection('cn1.1', {} as never, raw as never, '127.0.0.1', limits, clock.now());
  conn.identify({
    appId: 'app',
    appKey: 'key',
    userId: 'u',
    claims: {},
    canSubscribe: compilePatterns(['**']),
    canPublish: compilePatterns(['**']),
    expiresAt: 0,
    keyId: null,
    info: null,
  });
  conn.state = ConnState.Open;
  hub.add(conn);
  const publish = vi.fn(async () => ({ id: 'm1', ts: clock.now() }));
  const router = { publish } as unknown as GatewayRouter;
  const handler = new FrameHandler(
    hub,
    router,
    new HookChain(opts.hooks ?? []),
    DEFAULT_GATEWAY_LIMITS,
    new MetricsRegistry(),
    () => undefined,
    clock,
  );
  const send = (frame: object) => handler.handle(conn, Buffer.from(JSON.stringify(frame)));
  /** The frames written so far (the hub writes at the end of the event-loop turn). */
  const frames = async (): Promise<Array<Record<string, unknown>>> => {
    await new Promise((r) => setImmediate(r));
    return writes.map((b) => JSON.parse(b.subarray(2).toString()) as Record<string, unknown>);
  };
  return { clock, hub, conn, handler, send, frames, publish };
}

describe('FrameHandler on a manual clock', () => {
  it("answers a ping with the clock's time", async () => {
    const { clock, send, frames } = setup();
    send({ type: 'ping', id: 1 });
    clock.advance(5_000);
    send({ type: 'ping', id: 2 });
    expect(await frames()).toEqual([
      { type: 'pong', id: 1, ts: 1_000_000 },
      { type: 'pong', id: 2, ts: 1_005_000 },
    ]);
  });

  it('limits client publishes to the rate; the bucket refills as the clock moves, not as time passes', async () => {
    const { clock, send, frames, publish } = setup({ publishRate: 2, publishBurst: 2 });
    for (let id = 1; id <= 3; id++) send({ type: 'publish', id, topic: 't', data: id });
    expect(publish).toHaveBeenCalledTimes(2);
    clock.advance(499); // 0.998 of a token back: still refused
    send({ type: 'publish', id: 4, topic: 't', data: 4 });
    clock.advance(1); // a whole token
    send({ type: 'publish', id: 5, topic: 't', data: 5 });
    expect(publish).toHaveBeenCalledTimes(3);
    const out = await frames();
    expect(out.map((f) => [f.id, f.type, f.code])).toEqual([
      [3, 'error', 'rate_limited'],
      [4, 'error', 'rate_limited'],
      [1, 'ack', undefined],
      [2, 'ack', undefined],
      [5, 'ack', undefined],
    ]);
  });

  it('runs subscribe hooks in order; an async one holds the ack until it settles', async () => {
    const { clock, hub, conn, send, frames } = setup({
      hooks: [
        { beforeSubscribe: (_c, topics) => [...topics, 'added'] },
        {
          beforeSubscribe: (_c, topics) =>
            new Promise<string[]>((resolve) =>
              clock.setTimer(() => resolve(topics.filter((t) => t !== 'dropped')), 100),
            ),
        },
        { beforeSubscribe: (_c, topics) => topics.map((t) => `app.${t}`) },
      ],
    });
    const done = send({ type: 'subscribe', id: 's', topics: ['a', 'dropped'] });
    expect(done).toBeInstanceOf(Promise); // the connection's next frames wait for it
    expect(await frames()).toEqual([]);
    expect(conn.topics.size).toBe(0);
    clock.advance(100);
    await done;
    expect(await frames()).toEqual([{ type: 'ack', id: 's', topics: ['app.a', 'app.added'] }]);
    expect([...conn.topics]).toEqual(['app.a', 'app.added']);
    expect(hub.topicSubscribers('app', 'app.added')).toBe(1);
  });

  it('a refusing hook answers with its error and subscribes nothing', async () => {
    const { conn, send, frames } = setup({
      hooks: [{ beforeSubscribe: () => ({ refuse: 'not today', code: 'forbidden' }) }],
    });
    send({ type: 'subscribe', id: 1, topics: ['a'] });
    expect(await frames()).toEqual([{ type: 'error', id: 1, code: 'forbidden', message: 'not today' }]);
    expect(conn.topics.size).toBe(0);
  });
});
