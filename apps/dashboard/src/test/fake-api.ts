import {
  ADMIN_ROUTES,
  AdminClient,
  AdminErrors,
  type AdminErrorCode,
  type CallOutput,
  type JsonRouteName,
} from '@beacon/admin-api';
import type { Api } from '../api/api-context.js';

/** Thrown by a fake handler: answered as the admin API's problem response. */
export class FakeProblem extends Error {
  constructor(
    readonly code: AdminErrorCode,
    detail?: string,
  ) {
    super(detail ?? AdminErrors[code].title);
  }
}

export interface FakeCall {
  name: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

export type Handlers = {
  [N in JsonRouteName]?: (call: FakeCall) => CallOutput<N> | Promise<CallOutput<N>>;
};

/** A test's stand-in for EventSource: the test opens it, emits events, fails it. */
export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState = 0;
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  private readonly listeners = new Map<string, Set<(e: Event) => void>>();

  constructor(readonly url: string) {}

  addEventListener(name: string, l: (e: Event) => void): void {
    let set = this.listeners.get(name);
    if (set === undefined) this.listeners.set(name, (set = new Set()));
    set.add(l);
  }

  removeEventListener(name: string, l: (e: Event) => void): void {
    this.listeners.get(name)?.delete(l);
  }

  close(): void {
    this.readyState = 2;
  }

  get closed(): boolean {
    return this.readyState === 2;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  emit(name: string, data: unknown): void {
    const e = new MessageEvent(name, { data: JSON.stringify(data) });
    for (const l of this.listeners.get(name) ?? []) l(e);
  }

  /** The server ended the stream (closed: it will not reconnect by itself). */
  fail(closed = true): void {
    this.readyState = closed ? 2 : 0;
    this.onerror?.(new Event('error'));
  }
}

const MATCHERS = Object.entries(ADMIN_ROUTES).map(([name, route]) => {
  const names: string[] = [];
  const re = new RegExp(
    `^${route.path.replace(/:(\w+)/g, (_m, n: string) => {
      names.push(n);
      return '([^/]+)';
    })}$`,
  );
  return { name, route, re, names };
});

/**
 * An admin API in the test: the real AdminClient over a fake fetch that routes by ADMIN_ROUTES to the
 * test's handlers (unknown routes answer 404), and a stream opener that records FakeEventSources.
 */
export function fakeApi(handlers: Handlers): {
  api: Api;
  calls: FakeCall[];
  streams: FakeEventSource[];
  stream: (name: string) => FakeEventSource | undefined;
} {
  const calls: FakeCall[] = [];
  const streams: FakeEventSource[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://dashboard.test');
    const method = init?.method ?? 'GET';
    for (const m of MATCHERS) {
      const hit = m.re.exec(url.pathname);
      if (hit === null || m.route.method !== method) continue;
      const params: Record<string, string> = {};
      m.names.forEach((n, i) => (params[n] = decodeURIComponent(hit[i + 1] ?? '')));
      const call: FakeCall = {
        name: m.name,
        params,
        query: Object.fromEntries(url.searchParams),
        body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      };
      calls.push(call);
      const handler = (handlers as Record<string, ((c: FakeCall) => unknown) | undefined>)[m.name];
      try {
        if (handler === undefined) throw new FakeProblem('not_found', `no fake for ${m.name}`);
        const out = await handler(call);
        if (out === undefined) return new Response(null, { status: 204 });
        return new Response(JSON.stringify(out), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      } catch (err) {
        if (!(err instanceof FakeProblem)) throw err;
        const meta = AdminErrors[err.code];
        return new Response(
          JSON.stringify({
            type: 't',
            title: meta.title,
            status: meta.status,
            code: err.code,
            detail: err.message,
          }),
          { status: meta.status, headers: { 'content-type': 'application/problem+json' } },
        );
      }
    }
    return new Response('{}', { status: 404 });
  };
  const api: Api = {
    client: new AdminClient({ fetch }),
    openStream: (url) => {
      const s = new FakeEventSource(url);
      streams.push(s);
      return s as unknown as EventSource;
    },
  };
  const stream = (name: string): FakeEventSource | undefined => {
    const path = ADMIN_ROUTES[name as keyof typeof ADMIN_ROUTES].path.replace(/:\w+/g, '[^/]+');
    return [...streams].reverse().find((s) => !s.closed && new RegExp(`^${path}(\\?|$)`).test(s.url));
  };
  return { api, calls, streams, stream };
}
