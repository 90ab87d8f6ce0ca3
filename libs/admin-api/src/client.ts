/**
 * One typed client for the admin API, used by the dashboard (and by tests). Names, paths, inputs and
 * outputs come from ADMIN_ROUTES, so a route the server changes breaks the dashboard's build, not its users.
 */
import type { z } from 'zod';
import { AdminApiError, type AdminProblem } from './errors.js';
import { ADMIN_ROUTES, type AdminRouteName, type AdminRoutes, type JsonRoute } from './routes.js';

type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<Rest>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : unknown;

type JsonRouteName = { [N in AdminRouteName]: AdminRoutes[N] extends JsonRoute ? N : never }[AdminRouteName];
type StreamRouteName = Exclude<AdminRouteName, JsonRouteName>;

type ParamsOf<R> = R extends { path: infer P extends string }
  ? P extends `${string}:${string}`
    ? { params: PathParams<P> }
    : { params?: undefined }
  : never;
type QueryOf<R> = R extends { query: infer Q extends z.ZodType }
  ? { query?: z.input<Q> }
  : { query?: undefined };
type BodyOf<R> = R extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : { body?: undefined };

export type CallInput<N extends AdminRouteName> = ParamsOf<AdminRoutes[N]> &
  QueryOf<AdminRoutes[N]> &
  BodyOf<AdminRoutes[N]>;

export type CallOutput<N extends JsonRouteName> = AdminRoutes[N] extends { response: infer R }
  ? R extends z.ZodType
    ? z.infer<R>
    : void
  : never;

/** The data of each event of a stream route. */
export type StreamEvents<N extends StreamRouteName> = AdminRoutes[N] extends {
  events: infer E extends Record<string, z.ZodType>;
}
  ? { [K in keyof E]: z.infer<E[K]> }
  : never;

export type { JsonRouteName, StreamRouteName };

/** Fills `:name` segments (each URL-encoded, so topics with slashes fit one segment) and the query. */
export function routeUrl(
  path: string,
  params?: Record<string, string>,
  query?: Record<string, unknown>,
): string {
  const filled = path.replace(/:(\w+)/g, (_m, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) qs.set(k, String(v));
  const s = qs.toString();
  return s === '' ? filled : `${filled}?${s}`;
}

export interface AdminClientOptions {
  /** Origin and base of the platform, e.g. `http://127.0.0.1:8080`; '' for same-origin (the dashboard). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Extra headers on every call (tests pass `cookie` and `origin` here; browsers manage both). */
  headers?: Record<string, string>;
}

export class AdminClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(options: AdminClientOptions = {}) {
    this.base = options.baseUrl ?? '';
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.headers = options.headers ?? {};
  }

  async call<N extends JsonRouteName>(name: N, ...[input]: CallArgs<N>): Promise<CallOutput<N>> {
    const route = ADMIN_ROUTES[name] as JsonRoute;
    const i = (input ?? {}) as {
      params?: Record<string, string>;
      query?: Record<string, unknown>;
      body?: unknown;
    };
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    if (i.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.doFetch(this.base + routeUrl(route.path, i.params, i.query), {
        method: route.method,
        headers,
        body: i.body === undefined ? undefined : JSON.stringify(i.body),
        credentials: 'same-origin',
      });
    } catch (err) {
      throw new AdminApiError(0, 'network', err instanceof Error ? err.message : String(err));
    }
    if (res.status === 204) return undefined as CallOutput<N>;
    const text = await res.text();
    const body: unknown = text === '' ? undefined : safeJson(text);
    if (!res.ok) {
      const p = body as AdminProblem | undefined;
      if (p !== undefined && typeof p.code === 'string')
        throw new AdminApiError(res.status, p.code, p.detail, p);
      throw new AdminApiError(res.status, 'internal', `HTTP ${res.status}`);
    }
    return body as CallOutput<N>;
  }

  /** The URL of a stream route, for an EventSource (same-origin cookies go with it). */
  streamUrl<N extends StreamRouteName>(name: N, ...[input]: CallArgs<N>): string {
    const route = ADMIN_ROUTES[name];
    const i = (input ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown> };
    return this.base + routeUrl(route.path, i.params, i.query);
  }
}

/** The input argument is optional exactly when the route has no path parameters and no body. */
type CallArgs<N extends AdminRouteName> = AdminRoutes[N] extends { body: z.ZodType }
  ? [input: CallInput<N>]
  : AdminRoutes[N] extends { path: `${string}:${string}` }
    ? [input: CallInput<N>]
    : [input?: CallInput<N>];

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
