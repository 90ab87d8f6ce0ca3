import { clip } from '@beacon/protocol';
import type { ClientInfo, GatewayHooks, MaybePromise, PublishRequest, Refusal } from './hooks.js';
import { isRefusal } from './hooks.js';

/**
 * Runs the hooks in order. Each may pass the value on unchanged (return nothing), replace it, or
 * refuse. Stays synchronous until a hook returns a promise, so the common case allocates no promise.
 */
function chain<T>(
  steps: ReadonlyArray<(client: ClientInfo, value: T) => MaybePromise<Refusal | T | void>>,
  client: ClientInfo,
  value: T,
  from = 0,
): MaybePromise<Refusal | T> {
  let current = value;
  for (let i = from; i < steps.length; i++) {
    const out = (steps[i] as (c: ClientInfo, v: T) => MaybePromise<Refusal | T | void>)(client, current);
    if (out instanceof Promise) {
      return out.then((resolved) => {
        if (isRefusal(resolved)) return resolved;
        return chain(steps, client, resolved === undefined ? current : resolved, i + 1);
      });
    }
    if (isRefusal(out)) return out;
    if (out !== undefined) current = out;
  }
  return current;
}

/** The registered hooks, pre-sorted by extension point so a frame never scans hooks it does not need. */
export class HookChain {
  private readonly connect: Array<(c: ClientInfo, v: null) => MaybePromise<Refusal | void>>;
  private readonly beforeSub: Array<(c: ClientInfo, v: string[]) => MaybePromise<Refusal | string[] | void>>;
  private readonly publish: Array<
    (c: ClientInfo, v: PublishRequest) => MaybePromise<Refusal | PublishRequest | void>
  >;
  private readonly hooks: readonly GatewayHooks[];

  constructor(hooks: readonly GatewayHooks[]) {
    this.hooks = hooks;
    this.connect = hooks.filter((h) => h.onConnect).map((h) => (c) => h.onConnect?.(c));
    this.beforeSub = hooks.filter((h) => h.beforeSubscribe).map((h) => (c, v) => h.beforeSubscribe?.(c, v));
    this.publish = hooks.filter((h) => h.onPublish).map((h) => (c, v) => h.onPublish?.(c, v));
  }

  onConnect(client: ClientInfo): MaybePromise<Refusal | null> {
    return chain(this.connect, client, null);
  }

  beforeSubscribe(client: ClientInfo, topics: string[]): MaybePromise<Refusal | string[]> {
    return chain(this.beforeSub, client, topics);
  }

  onPublish(client: ClientInfo, request: PublishRequest): MaybePromise<Refusal | PublishRequest> {
    return chain(this.publish, client, request);
  }

  /** Notification hooks: a throwing hook is reported and never stops the others or the gateway. */
  notify<K extends 'onSubscribe' | 'onUnsubscribe' | 'onSlowConsumer' | 'onClose'>(
    name: K,
    onError: (err: unknown) => void,
    ...args: Parameters<NonNullable<GatewayHooks[K]>>
  ): void {
    for (const h of this.hooks) {
      const fn = h[name] as ((...a: unknown[]) => void) | undefined;
      if (fn === undefined) continue;
      try {
        fn.apply(h, args);
      } catch (err) {
        onError(err);
      }
    }
  }
}

/**
 * The built-in hooks every app gets first: subscribe and publish only where the token's claims and
 * the app's settings allow.
 */
export const permissionHooks: GatewayHooks = {
  beforeSubscribe(client, topics) {
    const denied = topics.find((t) => !client.maySubscribe(t));
    if (denied !== undefined)
      return { refuse: `not allowed to subscribe to "${clip(denied)}"`, code: 'forbidden' };
  },
  onPublish(client, request) {
    const denied = request.topics.find((t) => !client.mayPublish(t));
    if (denied !== undefined)
      return { refuse: `not allowed to publish to "${clip(denied)}"`, code: 'forbidden' };
  },
};
