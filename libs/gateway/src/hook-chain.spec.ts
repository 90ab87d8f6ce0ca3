import { ManualClock } from '@beacon/routing';
import { describe, expect, it, vi } from 'vitest';
import { HookChain, permissionHooks } from './hook-chain.js';
import type { ClientInfo, GatewayHooks, PublishRequest } from './hooks.js';

const client: ClientInfo = {
  id: 'cn.1',
  appId: 'app',
  appKey: 'key',
  userId: 'u',
  remoteAddress: '127.0.0.1',
  topics: new Set(),
  claims: {},
  keyId: null,
  maySubscribe: (t) => !t.startsWith('secret.'),
  mayPublish: (t) => t !== 'readonly',
};

/** A promise settled by the clock, not by time passing: the spec decides when the hook finishes. */
function after<T>(clock: ManualClock, ms: number, value: T): Promise<T> {
  return new Promise((resolve) => clock.setTimer(() => resolve(value), ms));
}

describe('HookChain', () => {
  it('runs the hooks in order, each seeing what the one before returned, and stays synchronous', () => {
    const seen: string[][] = [];
    const hooks: GatewayHooks[] = [
      { beforeSubscribe: (_c, t) => (seen.push(t), [...t, 'b']) },
      { beforeSubscribe: (_c, t) => void seen.push(t) }, // nothing returned: passes the value on
      { beforeSubscribe: (_c, t) => (seen.push(t), t.filter((x) => x !== 'a')) },
    ];
    const out = new HookChain(hooks).beforeSubscribe(client, ['a']);
    expect(out).toEqual(['b']); // not a promise: no hook was async
    expect(seen).toEqual([['a'], ['a', 'b'], ['a', 'b']]);
  });

  it('stops at the first refusal: later hooks are not called', () => {
    const last = vi.fn();
    const chain = new HookChain([
      { onPublish: () => ({ refuse: 'no', code: 'forbidden' }) },
      { onPublish: last },
    ]);
    expect(chain.onPublish(client, { topics: ['t'], data: 1 })).toEqual({ refuse: 'no', code: 'forbidden' });
    expect(last).not.toHaveBeenCalled();
  });

  it('an async hook pauses the chain; the next hooks run after it settles, in order', async () => {
    const clock = new ManualClock();
    const order: string[] = [];
    const chain = new HookChain([
      { onPublish: (_c, r) => void order.push(`sync:${r.topics.join()}`) },
      {
        onPublish: (_c, r) => {
          order.push('slow:start');
          return after(clock, 1_000, { ...r, topics: [...r.topics, 'added'] }).then((next) => {
            order.push('slow:done');
            return next;
          });
        },
      },
      { onPublish: (_c, r) => (order.push(`last:${r.topics.join()}`), { ...r, data: 'final' }) },
    ]);
    const out = chain.onPublish(client, { topics: ['t'], data: 1 });
    expect(out).toBeInstanceOf(Promise);
    expect(order).toEqual(['sync:t', 'slow:start']);
    clock.advance(999);
    await Promise.resolve();
    expect(order).toEqual(['sync:t', 'slow:start']); // still waiting for the slow hook
    clock.advance(1);
    expect(await out).toEqual({ topics: ['t', 'added'], data: 'final' });
    expect(order).toEqual(['sync:t', 'slow:start', 'slow:done', 'last:t,added']);
  });

  it('a refusal from an async hook skips the rest', async () => {
    const clock = new ManualClock();
    const last = vi.fn();
    const chain = new HookChain([
      { beforeSubscribe: () => after(clock, 10, { refuse: 'later' }) },
      { beforeSubscribe: last },
    ]);
    const out = chain.beforeSubscribe(client, ['t']);
    clock.advance(10);
    expect(await out).toEqual({ refuse: 'later' });
    expect(last).not.toHaveBeenCalled();
  });

  it('onConnect resolves to null when every hook lets the client in', () => {
    expect(new HookChain([{ onConnect: () => undefined }, {}]).onConnect(client)).toBeNull();
  });

  it('notifies every hook in order; one that throws is reported and the others still run', () => {
    const calls: string[] = [];
    const errors: unknown[] = [];
    const chain = new HookChain([
      { onSubscribe: () => void calls.push('first') },
      {
        onSubscribe: () => {
          throw new Error('boom');
        },
      },
      { onSubscribe: (_c, topics) => void calls.push(`third:${topics.join()}`) },
    ]);
    chain.notify('onSubscribe', (e) => errors.push(e), client, ['t']);
    expect(calls).toEqual(['first', 'third:t']);
    expect(errors).toHaveLength(1);
  });
});

describe('permissionHooks', () => {
  it('refuse topics the token does not allow, with `forbidden`', () => {
    const chain = new HookChain([permissionHooks]);
    expect(chain.beforeSubscribe(client, ['ok', 'secret.x'])).toEqual({
      refuse: 'not allowed to subscribe to "secret.x"',
      code: 'forbidden',
    });
    const publish: PublishRequest = { topics: ['a', 'readonly'], data: null };
    expect(chain.onPublish(client, publish)).toMatchObject({ code: 'forbidden' });
    expect(chain.beforeSubscribe(client, ['ok'])).toEqual(['ok']);
  });
});
