import { AdminApiError, AdminClient } from '@beacon/admin-api';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './beacon.js';

/** A raw admin API call: status, headers and parsed body, for what the typed client hides. */
export async function adminFetch(
  baseUrl: string,
  method: string,
  path: string,
  opts: { cookie?: string; origin?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie !== undefined) headers['cookie'] = opts.cookie;
  if (opts.origin !== null) headers['origin'] = opts.origin ?? baseUrl;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Signs in; returns the `cookie` header value to send back (`beacon_session=…`) and the Set-Cookie line. */
export async function signIn(
  baseUrl: string,
  email = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
): Promise<{ cookie: string; setCookie: string }> {
  const res = await adminFetch(baseUrl, 'POST', '/admin/v1/session', { body: { email, password } });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] as string, setCookie };
}

/** The typed client as an operator: its session cookie and the platform's own Origin on every call. */
export async function operatorClient(
  baseUrl: string,
  email = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
): Promise<{ client: AdminClient; cookie: string }> {
  const { cookie } = await signIn(baseUrl, email, password);
  return { client: new AdminClient({ baseUrl, headers: { cookie, origin: baseUrl } }), cookie };
}

/** The problem code of a failed call. */
export async function failure(p: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AdminApiError) return { status: err.status, code: err.code };
    throw err;
  }
  throw new Error('the call succeeded');
}
