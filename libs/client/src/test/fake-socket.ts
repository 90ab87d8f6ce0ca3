import type { ConnectedFrame, ServerFrame } from '@beacon/protocol';
import type { WebSocketConstructor, WebSocketLike } from '../types.js';

export type Sent = Record<string, unknown> & { type: string };

/** A WebSocket double driven by the spec as the server: it records what the SDK sends. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: Sent[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  /** Answer `{"type":"ping"}` with a pong, as the gateway does. */
  autoPong = true;
  onopen: ((ev: object) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: object) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error(`send in readyState ${this.readyState}`);
    const frame = JSON.parse(data) as Sent;
    this.sent.push(frame);
    if (frame.type === 'ping' && this.autoPong)
      queueMicrotask(() => this.frame({ type: 'pong', ts: Date.now() }));
  }

  close(code?: number, reason?: string): void {
    this.closedWith ??= { code, reason };
    this.readyState = 3;
  }

  get query(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  /** The frames of one type the SDK sent. */
  of(type: string): Sent[] {
    return this.sent.filter((f) => f.type === type);
  }

  // ---- the server's side ----

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Opens and sends `connected`. */
  accept(over: Partial<ConnectedFrame> = {}): void {
    this.open();
    this.frame({
      type: 'connected',
      clientId: 'c1.1',
      userId: null,
      node: 'n1',
      heartbeat: { interval: 25_000, timeout: 60_000 },
      limits: {
        maxFrameBytes: 65536,
        maxTopics: 100,
        maxPublishTopics: 100,
        maxTopicLength: 200,
        publishRate: 10,
        publishBurst: 20,
      },
      ...over,
    });
  }

  frame(f: ServerFrame | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(f) });
  }

  /** The server (or the network) ends the connection. */
  end(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** A WebSocket constructor whose instances the spec can reach, newest last. */
export function fakeWebSocket(): {
  WebSocket: WebSocketConstructor;
  sockets: FakeSocket[];
  last(): FakeSocket;
} {
  const sockets: FakeSocket[] = [];
  class WS extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: WS,
    sockets,
    last() {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket opened');
      return s;
    },
  };
}

/** An unsigned JWT-shaped token expiring at `expMs` (the SDK only reads `exp`). */
export function tokenExpiring(expMs: number, sub = 'u'): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256' })}.${b64({ sub, exp: Math.floor(expMs / 1000) })}.sig`;
}
