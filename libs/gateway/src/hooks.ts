/**
 * The gateway's extension points: firetower's callbacks, typed. Hooks run in the order they are
 * registered, after the built-in hooks that enforce token claims and app settings. A hook may be
 * synchronous or return a promise; a connection's frames are handled strictly in order either way.
 */
export interface ClientInfo {
  readonly id: string;
  readonly appId: string;
  readonly appKey: string;
  readonly userId: string | null;
  readonly remoteAddress: string;
  readonly topics: ReadonlySet<string>;
  /** Verified token claims; empty for anonymous clients. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** `kid` of the token key that verified the client's token; null for anonymous clients. */
  readonly keyId: string | null;
  /** What the token claims and app settings allow this client. */
  maySubscribe(topic: string): boolean;
  mayPublish(topic: string): boolean;
}

/** Returned by a hook to refuse; `refuse` is the message sent to the client with error `code` (default `refused`). */
export interface Refusal {
  refuse: string;
  code?: 'refused' | 'forbidden';
}

export type MaybePromise<T> = T | Promise<T>;

export interface PublishRequest {
  topics: string[];
  data: unknown;
}

export interface GatewayHooks {
  /** After authentication, before the client is registered. Refusing closes with 4006. */
  onConnect?(client: ClientInfo): MaybePromise<Refusal | void>;
  /** Before a subscribe: refuse it, or return a rewritten topic list. */
  beforeSubscribe?(client: ClientInfo, topics: string[]): MaybePromise<Refusal | string[] | void>;
  onSubscribe?(client: ClientInfo, topics: string[]): void;
  /** After an unsubscribe, and when a connection closes, for the topics it still held. */
  onUnsubscribe?(client: ClientInfo, topics: string[]): void;
  /** A client publish: refuse it (error `refused` or `forbidden`), or return a transformed request. */
  onPublish?(client: ClientInfo, request: PublishRequest): MaybePromise<Refusal | PublishRequest | void>;
  onSlowConsumer?(client: ClientInfo, info: { bufferedBytes: number }): void;
  /**
   * Once the socket is gone, after onUnsubscribe; `client.topics` still lists what it held. `code` is
   * the server's close code when the server closed it, else the client's.
   */
  onClose?(client: ClientInfo, info: { code: number; reason: string }): void;
}

export const GATEWAY_HOOKS = Symbol('GATEWAY_HOOKS');

export function isRefusal(v: unknown): v is Refusal {
  return typeof v === 'object' && v !== null && typeof (v as Refusal).refuse === 'string';
}
