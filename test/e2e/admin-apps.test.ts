import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES, type AdminClient } from '@beacon/admin-api';
import type { ConnectionDetails, ConnectionDirectory } from '@beacon/admin';
import { CloseCode } from '@beacon/protocol';
import {
  ADMIN_EMAIL,
  DEV_KEY,
  DEV_TOKEN_KEY,
  signToken,
  startTestBeacon,
  type TestBeacon,
} from '../support/beacon.js';
import { adminFetch, failure, operatorClient } from '../support/admin.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

// Issue 7: the dashboard's changes through the admin API of the real single process, each audited with
// actor operator:<email>, reaching open connections (4003 on disable, 4010 on disconnect).

/** A connection directory that knows the clients this test opened (the real one is libs/stats's). */
const known = new Map<string, ConnectionDetails>();
const connections: ConnectionDirectory = {
  find: async () => ({ items: [...known.values()], nextCursor: null, total: known.size }),
  get: async (clientId) => known.get(clientId) ?? null,
};

let beacon: TestBeacon;
let client: AdminClient;
let cookie: string;
let devAppId: string;
beforeAll(async () => {
  beacon = await startTestBeacon({ BEACON_APP_CHANGE_POLL_MS: '50' }, { admin: { connections } });
  ({ client, cookie } = await operatorClient(beacon.url));
  devAppId = (await beacon.persistence.apps.findByKey(DEV_KEY))!.id;
});
afterAll(async () => {
  await beacon.stop();
});

const actor = `operator:${ADMIN_EMAIL}`;
async function records(action: string) {
  await beacon.persistence.audit.flush();
  return beacon.persistence.audit.query({ action, actor, limit: 1000 });
}

function remember(c: TestClient, appId: string, userId: string | null): void {
  known.set(c.clientId, {
    clientId: c.clientId,
    appId,
    userId,
    nodeId: beacon.nodeId,
    connectedAt: Date.now(),
    remoteAddress: '127.0.0.1',
    topics: 0,
    topicList: [],
    userAgent: null,
    info: null,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
  });
}

describe('apps and keys', () => {
  it('creates an app (secrets shown once), lists it, and the secret works on the push API', async () => {
    const created = await client.call('createApp', {
      body: { name: 'Shop', key: 'shop', settings: { allowAnonymous: true, publishRate: 3 } },
    });
    expect(created.app).toMatchObject({ key: 'shop', name: 'Shop', enabled: true });
    expect(created.app.settings).toMatchObject({
      allowAnonymous: true,
      publishRate: 3,
      maxMessageBytes: null,
    });
    expect(created.secret.kid).toMatch(/^ps_/);
    expect(created.tokenKey.kid).toMatch(/^k_/);
    expect((await beacon.api('GET', '/v1/topics', undefined, created.secret.secret)).status).toBe(200);
    expect((await client.call('apps')).items.map((a) => a.key)).toContain('shop');
    const keys = (await client.call('appKeys', { params: { key: 'shop' } })).items;
    expect(keys.map((k) => k.kind).sort()).toEqual(['push_secret', 'token_hmac']);
    expect(JSON.stringify(keys)).not.toContain(created.secret.secret);
    expect(await failure(client.call('createApp', { body: { name: 'Again', key: 'shop' } }))).toEqual({
      status: 409,
      code: 'conflict',
    });
  });

  it('updates name and settings; null resets an override to the process default', async () => {
    const app = await client.call('updateApp', {
      params: { key: 'shop' },
      body: { name: 'Shop 2', settings: { publishRate: null, maxTopicsPerConnection: 5 } },
    });
    expect(app.name).toBe('Shop 2');
    expect(app.settings).toMatchObject({ publishRate: null, maxTopicsPerConnection: 5 });
    const bad = await failure(
      client.call('updateApp', { params: { key: 'shop' }, body: { settings: { maxConnections: -1 } } }),
    );
    expect(bad).toEqual({ status: 400, code: 'invalid_request' });
  });

  it('rotates the push secret: the old one stops working at once', async () => {
    const first = await client.call('rotateSecret', { params: { key: 'shop' } });
    const second = await client.call('rotateSecret', { params: { key: 'shop' } });
    expect((await beacon.api('GET', '/v1/topics', undefined, first.secret.secret)).body.code).toBe(
      'key_revoked',
    );
    expect((await beacon.api('GET', '/v1/topics', undefined, second.secret.secret)).status).toBe(200);
  });

  it('rotates the token key, adds and revokes a public key; a revoked key closes its connections', async () => {
    const rotated = await client.call('rotateTokenKey', { params: { key: 'shop' } });
    // the gateway learns of the new key through the app change feed (within its poll interval): poll now
    await beacon.appChanges.poll();
    const user = await TestClient.connect(
      beacon.wsUrl('shop', await signToken(rotated.secret.secret, { sub: 'u1' }, '1h', rotated.secret.kid)),
    );
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const added = await client.call('addPublicKey', {
      params: { key: 'shop' },
      body: { alg: 'ES256', kid: 'es-1', publicKey: pem },
    });
    expect(added).toMatchObject({ kid: 'es-1', kind: 'token_public', alg: 'ES256', revokedAt: null });
    await client.call('revokeKey', { params: { key: 'shop', kid: 'es-1' } });
    await client.call('revokeKey', { params: { key: 'shop', kid: rotated.secret.kid } });
    expect(await user.waitClosed(2_000)).toBe(CloseCode.Unauthorized);
    expect(await failure(client.call('revokeKey', { params: { key: 'shop', kid: 'es-1' } }))).toEqual({
      status: 404,
      code: 'not_found',
    });
  });

  it('disabling an app closes its clients with 4003 within 2 s; enabling lets them back', async () => {
    const anon = await TestClient.connect(beacon.wsUrl('shop'));
    const bystander = await TestClient.connect(beacon.wsUrl());
    const disabled = await client.call('disableApp', { params: { key: 'shop' } });
    expect(disabled.enabled).toBe(false);
    expect(await anon.waitClosed(2_000)).toBe(CloseCode.AppDisabled);
    await bystander.sync();
    expect(bystander.closeCode).toBeNull();
    expect(
      await failure(client.call('publish', { params: { key: 'shop' }, body: { topic: 't', data: 1 } })),
    ).toEqual({ status: 409, code: 'conflict' });
    await client.call('enableApp', { params: { key: 'shop' } });
    await waitUntil(async () => {
      const c = await TestClient.open(beacon.wsUrl('shop'));
      await waitUntil(() => c.closeCode !== null || c.frames.length > 0);
      c.close();
      return c.frames.some((f) => f.type === 'connected');
    }, 2_000);
    bystander.close();
  });

  it('deletes an app only with its key typed as confirmation', async () => {
    await client.call('createApp', {
      body: { name: 'Gone', key: 'gone', settings: { allowAnonymous: true } },
    });
    const c = await TestClient.connect(beacon.wsUrl('gone'));
    expect(
      await failure(client.call('deleteApp', { params: { key: 'gone' }, body: { confirm: 'gon' } })),
    ).toEqual({ status: 400, code: 'confirmation_mismatch' });
    expect(await beacon.persistence.apps.findByKey('gone')).not.toBeNull();
    await client.call('deleteApp', { params: { key: 'gone' }, body: { confirm: 'gone' } });
    expect(await c.waitClosed(2_000)).toBe(CloseCode.AppDisabled);
    expect(await failure(client.call('app', { params: { key: 'gone' } }))).toEqual({
      status: 404,
      code: 'not_found',
    });
  });
});

describe('connections and publishing', () => {
  it('publishes to a topic of an app (the subscriber gets it)', async () => {
    const sub = await TestClient.connect(beacon.wsUrl());
    await sub.subscribe('news');
    const receipt = await client.call('publish', {
      params: { key: DEV_KEY },
      body: { topic: 'news', data: { hello: 'operators' } },
    });
    const m = await sub.waitFor((f) => f.type === 'message' && f.topic === 'news');
    expect(m).toMatchObject({ data: { hello: 'operators' }, id: receipt.id });
    expect(
      await failure(
        client.call('publish', { params: { key: DEV_KEY }, body: { topic: 'bad topic!', data: 1 } }),
      ),
    ).toEqual({ status: 400, code: 'invalid_request' });
    sub.close();
  });

  it("disconnects all of a user's connections: the clients see 4010", async () => {
    const token = await signToken(DEV_TOKEN_KEY, { sub: 'ada' });
    const a = await TestClient.connect(beacon.wsUrl(DEV_KEY, token));
    const b = await TestClient.connect(beacon.wsUrl(DEV_KEY, token));
    const other = await TestClient.connect(beacon.wsUrl());
    const r = await client.call('disconnectUser', { params: { key: DEV_KEY, userId: 'ada' } });
    expect(r.disconnected).toBe(2);
    expect(await a.waitClosed()).toBe(CloseCode.Kicked);
    expect(await b.waitClosed()).toBe(CloseCode.Kicked);
    await other.sync();
    expect(other.closeCode).toBeNull();
    other.close();
  });

  it('disconnects one client found through the connection directory: it sees 4010', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    const keep = await TestClient.connect(beacon.wsUrl());
    remember(c, devAppId, null);
    const found = await client.call('connections', { query: { app: DEV_KEY } });
    expect(found.items.map((i) => i.clientId)).toContain(c.clientId);
    expect(found.items[0]?.appKey).toBe(DEV_KEY);
    const detail = await client.call('connection', { params: { clientId: c.clientId } });
    expect(detail).toMatchObject({ clientId: c.clientId, appKey: DEV_KEY });
    expect((await client.call('disconnectClient', { params: { clientId: c.clientId } })).disconnected).toBe(
      1,
    );
    expect(await c.waitClosed()).toBe(CloseCode.Kicked);
    await keep.sync();
    expect(keep.closeCode).toBeNull();
    expect(await failure(client.call('disconnectClient', { params: { clientId: 'c-nobody' } }))).toEqual({
      status: 404,
      code: 'not_found',
    });
    keep.close();
  });
});

describe('audit', () => {
  it('every admin mutation of this file is audited with the operator as actor', async () => {
    await client.call('createOperator', { body: { email: 'ops@localhost', role: 'viewer' } });
    const ops = await client.call('operators');
    const opsId = ops.items.find((o) => o.email === 'ops@localhost')!.id;
    await client.call('updateOperator', { params: { id: opsId }, body: { role: 'admin' } });
    await adminFetch(beacon.url, 'DELETE', '/admin/v1/session', { cookie });
    ({ client, cookie } = await operatorClient(beacon.url));

    const wanted = new Set(
      Object.values(ADMIN_ROUTES).flatMap((r) => ('audit' in r && r.audit !== undefined ? [r.audit] : [])),
    );
    for (const action of wanted) {
      const rows = await records(action);
      expect(rows.length, `${action} audited with ${actor}`).toBeGreaterThan(0);
      expect(
        rows.some((r) => r.result === 'ok'),
        `${action} ok`,
      ).toBe(true);
    }
    const create = (await records('app.create')).find((r) => r.target === 'shop' && r.result === 'ok');
    expect(create?.appId).toBeTruthy();
    expect(create?.remoteAddr).toBe('127.0.0.1');
    const failed = (await records('app.delete')).find((r) => r.result === 'confirmation_mismatch');
    expect(failed?.target).toBe('gone');
  });

  it('lists the audit log newest first, filtered and cursor-paged', async () => {
    const all = await client.call('audit', { query: { actor, limit: 500 } });
    const first = await client.call('audit', { query: { actor, limit: 3 } });
    expect(first.items.map((r) => r.id)).toEqual(all.items.slice(0, 3).map((r) => r.id));
    expect(first.nextCursor).not.toBeNull();
    const second = await client.call('audit', { query: { actor, limit: 3, cursor: first.nextCursor! } });
    expect(second.items.map((r) => r.id)).toEqual(all.items.slice(3, 6).map((r) => r.id));
    for (let i = 1; i < all.items.length; i++) expect(all.items[i - 1]!.ts >= all.items[i]!.ts).toBe(true);

    const refused = await client.call('audit', { query: { result: 'refused', limit: 500 } });
    expect(refused.items.length).toBeGreaterThan(0);
    expect(refused.items.every((r) => r.result !== 'ok' && !/^2\d\d/.test(r.result))).toBe(true);
    const ok = await client.call('audit', { query: { result: 'ok', action: 'app.rotate', app: 'shop' } });
    expect(ok.items.length).toBe(2);
    const future = await client.call('audit', {
      query: { from: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(future.items).toEqual([]);
    const past = await client.call('audit', { query: { to: new Date(0).toISOString() } });
    expect(past.items).toEqual([]);
  });

  it('streams new records as they are written, filtered like the list', async () => {
    const ac = new AbortController();
    const res = await fetch(`${beacon.url}/admin/v1/audit/stream?action=app.update`, {
      headers: { cookie },
      signal: ac.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const read = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })().catch(() => undefined);
    await waitUntil(() => text.startsWith('retry:'));
    await client.call('disableApp', { params: { key: 'shop' } }); // another action: filtered out
    await client.call('updateApp', { params: { key: 'shop' }, body: { name: 'Streamed' } });
    await waitUntil(
      () => text.includes('event: record'),
      5_000,
      () => text,
    );
    const data = JSON.parse(/event: record\ndata: (.*)\n/.exec(text)![1]!) as {
      action: string;
      actor: string;
    };
    expect(data).toMatchObject({ action: 'app.update', actor });
    expect(text).not.toContain('"app.disable"');
    ac.abort();
    await read;
  });
});
