import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let beacon: TestBeacon;
let secret: string;
let tokenKey: string;
const KEY = 'acme';

beforeAll(async () => {
  beacon = await startTestBeacon();
  ({
    secret,
    tokenKey: { secret: tokenKey },
  } = await beacon.persistence.apps.create({
    name: 'Acme',
    key: KEY,
    settings: { clientPublish: true },
  }));
});
afterAll(async () => {
  await beacon.stop();
});

const userClient = async (sub: string): Promise<TestClient> =>
  TestClient.connect(beacon.wsUrl(KEY, await signToken(tokenKey, { sub })));

describe('users, clients and broadcast', () => {
  it("send-to-user reaches both of a user's connections and nobody else", async () => {
    const [a1, a2, b] = await Promise.all([userClient('alice'), userClient('alice'), userClient('bob')]);
    expect(a1.frames[0]).toMatchObject({ userId: 'alice' });
    const res = await beacon.api(
      'POST',
      '/v1/users/alice/send',
      { data: { hello: 'alice' }, topic: 'inbox' },
      secret,
    );
    expect(res).toMatchObject({ status: 200, body: { delivered: 2 } });
    await waitUntil(() => a1.messages().length === 1 && a2.messages().length === 1);
    expect(a1.messages()[0]).toMatchObject({ type: 'message', topic: 'inbox', data: { hello: 'alice' } });
    await b.sync();
    expect(b.messages()).toEqual([]);
    const direct = await beacon.api('POST', '/v1/users/bob/send', { data: 'no-label' }, secret);
    expect(direct.body.delivered).toBe(1);
    await waitUntil(() => b.messages().length === 1);
    expect(b.messages()[0]).toMatchObject({ data: 'no-label' });
    expect(b.messages()[0]).not.toHaveProperty('topic');

    const presence = await beacon.api('GET', '/v1/users/alice', undefined, secret);
    expect(presence.body).toEqual({ userId: 'alice', online: true, connections: 2 });
    const nobody = await beacon.api('GET', '/v1/users/carol', undefined, secret);
    expect(nobody.body).toEqual({ userId: 'carol', online: false, connections: 0 });
    for (const c of [a1, a2, b]) c.close();
  });

  it('send-to-client reaches exactly one connection; an unknown client is a 404', async () => {
    const [x, y] = await Promise.all([userClient('dave'), userClient('dave')]);
    const res = await beacon.api('POST', `/v1/clients/${x.clientId}/send`, { data: 'only-x' }, secret);
    expect(res).toMatchObject({ status: 200, body: { delivered: 1 } });
    await waitUntil(() => x.messages().length === 1);
    await y.sync();
    expect(y.messages()).toEqual([]);

    const missing = await beacon.api('POST', '/v1/clients/nope.1/send', { data: 1 }, secret);
    expect(missing).toMatchObject({ status: 404, body: { code: 'client_not_found' } });
    x.close();
    y.close();
  });

  it("broadcast reaches every client of the app and no other app's", async () => {
    const [a, b] = await Promise.all([userClient('erin'), userClient('frank')]);
    const other = await TestClient.connect(beacon.wsUrl());
    const res = await beacon.api('POST', '/v1/broadcast', { data: 'all' }, secret);
    expect(res.body.delivered).toBe(2);
    await waitUntil(() => a.messages().length === 1 && b.messages().length === 1);
    await other.sync();
    expect(other.messages()).toEqual([]);
    for (const c of [a, b, other]) c.close();
  });

  it('disconnect-user and disconnect-client close with 4010', async () => {
    const [g1, g2, h] = await Promise.all([userClient('gina'), userClient('gina'), userClient('hank')]);
    const r = await beacon.api('POST', '/v1/users/gina/disconnect', undefined, secret);
    expect(r.body).toEqual({ disconnected: 2 });
    expect(await g1.waitClosed()).toBe(CloseCode.Kicked);
    expect(await g2.waitClosed()).toBe(CloseCode.Kicked);
    const r2 = await beacon.api('POST', `/v1/clients/${h.clientId}/disconnect`, undefined, secret);
    expect(r2.body).toEqual({ disconnected: 1 });
    expect(await h.waitClosed()).toBe(CloseCode.Kicked);
  });

  it('lists topics with counts, busiest first', async () => {
    const [a, b] = await Promise.all([userClient('ivy'), userClient('jon')]);
    await a.subscribe('t.busy', 't.quiet');
    await b.subscribe('t.busy');
    const res = await beacon.api('GET', '/v1/topics?prefix=t.', undefined, secret);
    expect(res.body.topics).toEqual([
      { topic: 't.busy', subscribers: 2 },
      { topic: 't.quiet', subscribers: 1 },
    ]);
    a.close();
    b.close();
  });
});
