import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  DEV_SECRET,
  startTestBeacon,
  type TestBeacon,
} from '../support/beacon.js';
import { adminFetch, failure, operatorClient, signIn } from '../support/admin.js';

// Issue 7: operator sign-in and sessions on the real single process (HTTP on 127.0.0.1, SQLite).
// The admin API's clock is injected, so idle and absolute expiry are tested without waiting for them.

const IDLE_SEC = 600;
const MAX_SEC = 3600;
let clock = Date.now();
let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon(
    {
      BEACON_ADMIN_SESSION_IDLE_SEC: String(IDLE_SEC),
      BEACON_ADMIN_SESSION_MAX_SEC: String(MAX_SEC),
      BEACON_ADMIN_SIGNIN_ACCOUNT_LIMIT: '3',
      BEACON_ADMIN_SIGNIN_ADDRESS_LIMIT: '6',
    },
    { adminNow: () => clock },
  );
});
afterAll(async () => {
  await beacon.stop();
});

const session = (cookie: string) => adminFetch(beacon.url, 'GET', '/admin/v1/session', { cookie });
const audits = async (action: string) => {
  await beacon.persistence.audit.flush();
  return beacon.persistence.audit.query({ action, limit: 100 });
};

describe('sign-in', () => {
  it('opens a session: HttpOnly, SameSite=Strict, Path=/admin cookie, no Secure over plain http', async () => {
    const { cookie, setCookie } = await signIn(beacon.url);
    expect(setCookie).toMatch(/^beacon_session=[A-Za-z0-9_-]{43}; /);
    for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/admin', `Max-Age=${MAX_SEC}`])
      expect(setCookie).toContain(attr);
    expect(setCookie).not.toContain('Secure');
    const s = await session(cookie);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ operator: { email: ADMIN_EMAIL, role: 'admin', disabled: false } });
    expect((s.body.operator as { lastSignInAt: string | null }).lastSignInAt).not.toBeNull();
    const ok = (await audits('operator.sign_in')).find((r) => r.result === 'ok');
    expect(ok).toMatchObject({ actor: `operator:${ADMIN_EMAIL}`, remoteAddr: '127.0.0.1' });
  });

  it('sets Secure behind https (X-Forwarded-Proto)', async () => {
    const res = await adminFetch(beacon.url, 'POST', '/admin/v1/session', {
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toContain('Secure');
  });

  it('refuses a wrong password and an unknown account alike (401 invalid_credentials), audited', async () => {
    const wrong = await adminFetch(beacon.url, 'POST', '/admin/v1/session', {
      body: { email: ADMIN_EMAIL, password: 'not-the-password' },
    });
    const unknown = await adminFetch(beacon.url, 'POST', '/admin/v1/session', {
      body: { email: 'nobody@localhost', password: 'not-the-password' },
    });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'invalid_credentials']);
    expect([unknown.status, unknown.body.code]).toEqual([401, 'invalid_credentials']);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const refused = (await audits('operator.sign_in')).filter((r) => r.result === '401 invalid_credentials');
    expect(refused.map((r) => r.actor).sort()).toEqual([
      'operator:admin@localhost',
      'operator:nobody@localhost',
    ]);
  });

  it('rate-limits failed sign-ins per account (429 + Retry-After), even with the right password', async () => {
    const email = 'limited@localhost';
    await beacon.persistence.operators.create({ email, password: 'limited-password-1', role: 'viewer' });
    for (let i = 0; i < 3; i++) {
      const r = await adminFetch(beacon.url, 'POST', '/admin/v1/session', {
        body: { email, password: 'nope-nope' },
      });
      expect(r.status).toBe(401);
    }
    const limited = await adminFetch(beacon.url, 'POST', '/admin/v1/session', {
      body: { email, password: 'limited-password-1' },
    });
    expect([limited.status, limited.body.code]).toEqual([429, 'rate_limited']);
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(limited.body.retryAfter).toBe(retry);
    // another account from the same address is not limited yet (address limit 6 > 4 failures so far)
    expect((await signIn(beacon.url)).cookie).toMatch(/^beacon_session=/);
    // once the window has passed, the right password works again
    clock += 16 * 60_000;
    expect((await signIn(beacon.url, email, 'limited-password-1')).cookie).toMatch(/^beacon_session=/);
    expect((await audits('operator.sign_in')).some((r) => r.result === '429 rate_limited')).toBe(true);
  });

  it('rate-limits failed sign-ins per remote address across accounts', async () => {
    clock += 16 * 60_000;
    let last = 0;
    for (let i = 0; i < 7; i++) {
      const r = await adminFetch(beacon.url, 'POST', '/admin/v1/session', {
        body: { email: `guess-${i}@localhost`, password: 'nope-nope' },
      });
      last = r.status;
    }
    expect(last).toBe(429);
    clock += 16 * 60_000;
  });
});

describe('sessions', () => {
  it('end after the idle time without requests, and requests move the idle expiry forward', async () => {
    clock += 16 * 60_000;
    const { cookie } = await signIn(beacon.url);
    clock += (IDLE_SEC - 60) * 1000;
    expect((await session(cookie)).status).toBe(200); // moves the idle expiry
    clock += (IDLE_SEC - 60) * 1000;
    const alive = await session(cookie);
    expect(alive.status).toBe(200);
    expect(Date.parse(alive.body.idleExpiresAt as string)).toBeGreaterThan(clock);
    clock += (IDLE_SEC + 1) * 1000;
    const gone = await session(cookie);
    expect([gone.status, gone.body.code]).toEqual([401, 'unauthenticated']);
  });

  it('end at the absolute expiry whatever the activity', async () => {
    const { cookie } = await signIn(beacon.url);
    const started = clock;
    while (clock < started + MAX_SEC * 1000 - IDLE_SEC * 500) {
      clock += (IDLE_SEC * 1000) / 2;
      expect((await session(cookie)).status).toBe(200);
    }
    clock = started + MAX_SEC * 1000 + 1;
    expect((await session(cookie)).status).toBe(401);
  });

  it('sign-out revokes the session on the server and clears the cookie', async () => {
    const { cookie } = await signIn(beacon.url);
    const out = await adminFetch(beacon.url, 'DELETE', '/admin/v1/session', { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^beacon_session=; .*Max-Age=0/);
    expect((await session(cookie)).status).toBe(401);
    expect((await audits('operator.sign_out'))[0]).toMatchObject({
      actor: `operator:${ADMIN_EMAIL}`,
      result: 'ok',
    });
  });

  it('disabling an operator ends its sessions at once', async () => {
    const { client } = await operatorClient(beacon.url);
    const { operator, password } = await client.call('createOperator', {
      body: { email: 'temp@localhost', role: 'viewer' },
    });
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const viewer = await signIn(beacon.url, 'temp@localhost', password);
    expect((await session(viewer.cookie)).status).toBe(200);
    await client.call('updateOperator', { params: { id: operator.id }, body: { disabled: true } });
    expect((await session(viewer.cookie)).status).toBe(401);
    const again = await adminFetch(beacon.url, 'POST', '/admin/v1/session', {
      body: { email: 'temp@localhost', password },
    });
    expect(again.status).toBe(401);
  });
});

describe('roles and doors', () => {
  it('a viewer reads but cannot mutate (403 forbidden) nor list operators', async () => {
    const { client: admin } = await operatorClient(beacon.url);
    await admin.call('createOperator', {
      body: { email: 'viewer@localhost', role: 'viewer', password: 'viewer-password-1' },
    });
    const { client: viewer } = await operatorClient(beacon.url, 'viewer@localhost', 'viewer-password-1');
    expect((await viewer.call('apps')).items.map((a) => a.key)).toContain('devapp');
    expect(await failure(viewer.call('createApp', { body: { name: 'x' } }))).toEqual({
      status: 403,
      code: 'forbidden',
    });
    expect(await failure(viewer.call('disableApp', { params: { key: 'devapp' } }))).toEqual({
      status: 403,
      code: 'forbidden',
    });
    expect(await failure(viewer.call('operators'))).toEqual({ status: 403, code: 'forbidden' });
    const refused = (await audits('app.create')).find((r) => r.actor === 'operator:viewer@localhost');
    expect(refused?.result).toBe('403 forbidden');
    expect((await beacon.persistence.apps.findByKey('devapp'))?.enabled).toBe(true);
  });

  it('refuses mutations from a foreign Origin (403 foreign_origin), sign-in included', async () => {
    const { cookie } = await signIn(beacon.url);
    const evil = 'http://evil.example';
    const r = await adminFetch(beacon.url, 'POST', '/admin/v1/apps', {
      cookie,
      origin: evil,
      body: { name: 'evil' },
    });
    expect([r.status, r.body.code]).toEqual([403, 'foreign_origin']);
    const s = await adminFetch(beacon.url, 'POST', '/admin/v1/session', {
      origin: evil,
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    expect([s.status, s.body.code]).toEqual([403, 'foreign_origin']);
    expect((await beacon.persistence.apps.list()).some((a) => a.name === 'evil')).toBe(false);
    // reads are not mutations
    expect((await adminFetch(beacon.url, 'GET', '/admin/v1/apps', { cookie, origin: evil })).status).toBe(
      200,
    );
  });

  it('an app push secret never opens the admin API', async () => {
    const headers = { authorization: `Bearer ${DEV_SECRET}` };
    const r = await adminFetch(beacon.url, 'GET', '/admin/v1/apps', { headers });
    expect([r.status, r.body.code]).toEqual([401, 'unauthenticated']);
    const m = await adminFetch(beacon.url, 'POST', '/admin/v1/apps/devapp/disable', { headers });
    expect(m.status).toBe(401);
    expect((await beacon.persistence.apps.findByKey('devapp'))?.enabled).toBe(true);
  });

  it('an operator session never opens the push API', async () => {
    const { cookie } = await signIn(beacon.url);
    for (const [method, path, body] of [
      ['GET', '/v1/topics', undefined],
      ['POST', '/v1/publish', { topic: 't', data: 1 }],
    ] as const) {
      const res = await fetch(`${beacon.url}${path}`, {
        method,
        headers: { cookie, origin: beacon.url, ...(body && { 'content-type': 'application/json' }) },
        body: body && JSON.stringify(body),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('missing_credentials');
    }
  });

  it('the last enabled admin cannot be demoted or disabled (409 last_admin)', async () => {
    const { client } = await operatorClient(beacon.url);
    const me = (await client.call('operators')).items.find((o) => o.email === ADMIN_EMAIL);
    expect(me).toBeDefined();
    for (const body of [{ role: 'viewer' as const }, { disabled: true }])
      expect(await failure(client.call('updateOperator', { params: { id: me!.id }, body }))).toEqual({
        status: 409,
        code: 'last_admin',
      });
    const r = (await audits('operator.update')).find((x) => x.result === 'last_admin');
    expect(r?.actor).toBe(`operator:${ADMIN_EMAIL}`);
  });

  it('answers unknown admin routes with a problem, not the push API', async () => {
    const { cookie } = await signIn(beacon.url);
    const r = await adminFetch(beacon.url, 'GET', '/admin/v1/nope', { cookie });
    expect([r.status, r.body.code]).toEqual([404, 'not_found']);
  });
});
