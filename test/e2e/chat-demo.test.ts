import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';

// Issue 9: the chat demo's token endpoint signs short-lived tokens for the development app, limited to
// the demo's rooms, with the user's name and colour in `info`; it does not exist when the demo is off.

const token = (beacon: TestBeacon, body: unknown) =>
  fetch(`${beacon.url}/demo/chat/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('chat demo on', () => {
  let beacon: TestBeacon;
  beforeAll(async () => {
    beacon = await startTestBeacon();
  });
  afterAll(() => beacon.stop());

  it('gives the development app presence and history on chat/*, and prints its URL', async () => {
    expect(beacon.chatDemoUrl).toBe(`${beacon.url}/demo/chat/`);
    const app = await beacon.persistence.apps.findByKey('devapp');
    expect(app?.settings.presence).toEqual(['chat/*']);
    expect(app?.settings.history).toEqual([{ pattern: 'chat/*', size: 100, ttlSec: 3600 }]);
  });

  it('signs a token that joins a room with its info and cannot reach other topics', async () => {
    const res = await token(beacon, { name: 'Ada', colour: '#30A46C' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; app: string; userId: string; expiresAt: number };
    expect(body.app).toBe('devapp');
    expect(body.expiresAt - Date.now() / 1000).toBeLessThanOrEqual(600);
    const c = await TestClient.connect(beacon.wsUrl('devapp', body.token));
    await c.subscribe('chat/general');
    c.send({ type: 'presence', id: 'p1', topic: 'chat/general' });
    const presence = await c.waitFor((f) => f.type === 'presence' && f.id === 'p1');
    expect(presence.members).toEqual([
      { clientId: c.clientId, userId: body.userId, info: { name: 'Ada', colour: '#30a46c' } },
    ]);
    const other = await c.request({ type: 'subscribe', topics: ['news'] });
    expect(other).toMatchObject({ type: 'error', code: 'forbidden' });
    const pub = await c.request({ type: 'publish', topic: 'chat/general', data: { text: 'hi' } });
    expect(pub.type).toBe('ack');
    const history = await fetch(`${beacon.url}/demo/chat/history?room=general`);
    expect(((await history.json()) as { messages: unknown[] }).messages).toMatchObject([
      { data: { text: 'hi' } },
    ]);
    c.ws.close();
  });

  it.each([
    [{ colour: '#ffffff' }, 'name: a string is required'],
    [{ name: '', colour: '#ffffff' }, 'name: 1-24'],
    [{ name: 'x'.repeat(25), colour: '#ffffff' }, 'name: 1-24'],
    [{ name: '<script>', colour: '#ffffff' }, 'name: 1-24'],
    [{ name: 'Ada', colour: 'red' }, 'colour: a colour as #rrggbb'],
    ['just text', 'the body must be a JSON object'],
  ])('refuses %j with 400', async (input, message) => {
    const res = await token(beacon, input);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toContain(message);
  });

  it('refuses an unknown room in history', async () => {
    expect((await fetch(`${beacon.url}/demo/chat/history?room=secret`)).status).toBe(400);
  });
});

describe('chat demo rate limit', () => {
  let beacon: TestBeacon;
  beforeAll(async () => {
    beacon = await startTestBeacon();
  });
  afterAll(() => beacon.stop());

  it('allows a burst of 10 token requests per address, then 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await token(beacon, { name: 'Bo', colour: '#000000' })).status);
    expect(statuses).toEqual([...Array<number>(10).fill(200), 429]);
    const last = await token(beacon, { name: 'Bo', colour: '#000000' });
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('chat demo off', () => {
  let beacon: TestBeacon;
  beforeAll(async () => {
    beacon = await startTestBeacon({ BEACON_CHAT_DEMO: 'off' });
  });
  afterAll(() => beacon.stop());

  it('has no page, no token endpoint and leaves the app settings alone', async () => {
    expect(beacon.chatDemoUrl).toBeNull();
    expect((await token(beacon, { name: 'Ada', colour: '#ffffff' })).status).toBe(404);
    expect((await fetch(`${beacon.url}/demo/chat/`)).status).toBe(404);
    const app = await beacon.persistence.apps.findByKey('devapp');
    expect(app?.settings.presence).toEqual([]);
  });
});
