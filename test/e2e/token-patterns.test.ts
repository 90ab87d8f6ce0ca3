import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let beacon: TestBeacon;
let tokenKey = '';
let bystander: TestClient;

beforeAll(async () => {
  beacon = await startTestBeacon({ BEACON_MAX_TOPIC_LENGTH: '64' });
  ({
    tokenKey: { secret: tokenKey },
  } = await beacon.persistence.apps.create({
    name: 'claims',
    key: 'claims',
    settings: { clientPublish: true },
  }));
  bystander = await TestClient.connect(beacon.wsUrl());
  await bystander.subscribe('bystander');
});
afterAll(async () => {
  bystander.close();
  await beacon.stop();
});

const connectWith = async (claims: Record<string, unknown>): Promise<TestClient> =>
  TestClient.open(beacon.wsUrl('claims', await signToken(tokenKey, { sub: 'u', ...claims })));

describe('topic patterns in token claims', () => {
  it('a pattern that makes a backtracking matcher explode is matched in one pass', async () => {
    // Before the linear matcher this subscribe froze the whole process (pings, REST, every app) for minutes.
    const c = await connectWith({ subscribe: [`${'*a'.repeat(12)}*b*`], publish: [`${'*a'.repeat(12)}b`] });
    await c.waitFor((f) => f.type === 'connected');
    expect(await c.request({ type: 'subscribe', topic: 'a'.repeat(60) })).toMatchObject({
      code: 'forbidden',
    });
    expect(await c.request({ type: 'publish', topic: 'a'.repeat(64), data: 1 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await c.request({ type: 'subscribe', topic: `${'a'.repeat(12)}b` })).toMatchObject({
      type: 'ack',
    });
    const res = await beacon.api('POST', '/v1/publish', { topic: 'bystander', data: 'still served' });
    expect(res.status).toBe(200);
    await waitUntil(() => bystander.messages().length === 1);
    c.close();
  });

  it.each([
    ['more than 64 patterns', { subscribe: Array.from({ length: 65 }, (_, i) => `t${i}.*`) }, /more than 64/],
    ['a pattern longer than the topic limit', { publish: [`${'x'.repeat(64)}*`] }, /longer than 64/],
    ['a claim that is not an array', { subscribe: 'chat.*' }, /"subscribe" must be an array/],
    ['an invalid pattern', { subscribe: ['ok.*', 'no spaces'] }, /invalid pattern/],
  ])('refuses a token with %s: 4001 and the reason', async (_name, claims, reason) => {
    const c = await connectWith(claims);
    expect(await c.waitClosed()).toBe(CloseCode.Unauthorized);
    expect(c.closeReason).toMatch(reason);
  });

  it('accepts 64 patterns of the longest allowed length', async () => {
    const subscribe = Array.from({ length: 64 }, (_, i) => `${String(i).padStart(2, '0')}${'*x'.repeat(31)}`);
    expect(subscribe[0]).toHaveLength(64);
    const c = await connectWith({ subscribe });
    await c.waitFor((f) => f.type === 'connected');
    expect(await c.request({ type: 'subscribe', topic: `63${'x'.repeat(31)}` })).toMatchObject({
      type: 'ack',
    });
    c.close();
  });
});
