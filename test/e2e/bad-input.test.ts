import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let beacon: TestBeacon;
let bystander: TestClient;
let published = 0;

beforeAll(async () => {
  beacon = await startTestBeacon({
    BEACON_MAX_FRAME_BYTES: '4096',
    BEACON_MAX_TOPICS_PER_CONNECTION: '5',
    BEACON_FRAME_RATE: '20',
    BEACON_FRAME_BURST: '40',
    BEACON_MAX_TOPICS_PER_PUBLISH: '3',
    BEACON_LOG_LEVEL: 'warn',
  });
  bystander = await TestClient.connect(beacon.wsUrl());
  await bystander.subscribe('bystander');
});
afterAll(async () => {
  bystander.close();
  await beacon.stop();
});

/** After every case, an unrelated client still gets its messages: bad input changed nothing else. */
async function bystanderStillServed(): Promise<void> {
  published++;
  await beacon.api('POST', '/v1/publish', { topic: 'bystander', data: published });
  await waitUntil(() => bystander.messages().length === published);
}

describe('bad frames get a documented error and change nothing else', () => {
  it.each([
    ['malformed JSON', '{"type":"subscribe",', 'bad_frame'],
    ['a JSON array', '[1,2]', 'bad_frame'],
    ['an unknown type', { type: 'explode', topic: 'x', id: 1 }, 'unknown_type'],
    ['an unknown numeric type', { type: 9, topic: 'x' }, 'unknown_type'],
    ['no topic', { type: 'subscribe', id: 2 }, 'missing_topic'],
    ['topics of the wrong type', { type: 'subscribe', topics: [1, 2] }, 'bad_frame'],
    ['an invalid topic name', { type: 'subscribe', topic: 'has space', id: 3 }, 'invalid_topic'],
    ['an over-long topic name', { type: 'subscribe', topic: 'x'.repeat(201) }, 'invalid_topic'],
    ['publish without data', { type: 'publish', topic: 'x' }, 'bad_frame'],
  ])('%s', async (_name, frame, code) => {
    const c = await TestClient.connect(beacon.wsUrl());
    c.send(frame);
    const err = await c.waitFor((f) => f.type === 'error');
    expect(err).toMatchObject({ code, message: expect.any(String) });
    if (typeof frame === 'object' && 'id' in frame) expect(err.id).toBe(frame.id);
    // the connection is still usable
    await c.subscribe('still-works');
    expect(c.closeCode).toBeNull();
    c.close();
    await bystanderStillServed();
  });

  it('rejects a subscribe past the topic limit atomically', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('l1', 'l2', 'l3');
    const err = await c.request({ type: 'subscribe', topics: ['l4', 'l5', 'l6'] });
    expect(err).toMatchObject({ type: 'error', code: 'too_many_topics' });
    const counts = await beacon.api('GET', '/v1/topics/subscribers?topic=l4,l5,l6');
    expect((counts.body.topics as Array<{ subscribers: number }>).map((t) => t.subscribers)).toEqual([
      0, 0, 0,
    ]);
    c.close();
    await bystanderStillServed();
  });

  it('refuses a client publish without permission', async () => {
    const { tokenKey } = await beacon.persistence.apps.create({ name: 'ro', key: 'readonly' }); // clientPublish off
    const c = await TestClient.connect(
      beacon.wsUrl('readonly', await signToken(tokenKey.secret, { sub: 'r' })),
    );
    await c.subscribe('ro.topic');
    expect(await c.request({ type: 'publish', topic: 'ro.topic', data: 1 })).toMatchObject({
      code: 'forbidden',
    });
    await c.sync();
    expect(c.messages()).toEqual([]);
    c.close();
    await bystanderStillServed();
  });

  it('closes an oversize frame with 1009, counted as a server close', async () => {
    const before = beacon.metrics.snapshot();
    const c = await TestClient.connect(beacon.wsUrl());
    c.send({ type: 'publish', topic: 'x', data: 'y'.repeat(5000) });
    expect(await c.waitClosed()).toBe(CloseCode.MessageTooBig);
    await waitUntil(
      () => beacon.metrics.snapshot().beacon_closed_1009_total === (before.beacon_closed_1009_total ?? 0) + 1,
    );
    expect(beacon.metrics.snapshot().beacon_client_disconnects_total).toBe(
      before.beacon_client_disconnects_total,
    );
    await bystanderStillServed();
  });

  it('closes a text frame that is not UTF-8 with 1007, counted as a server close', async () => {
    const before = beacon.metrics.snapshot();
    const c = await TestClient.connect(beacon.wsUrl());
    c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await c.waitClosed()).toBe(CloseCode.InvalidPayload);
    await waitUntil(() => beacon.metrics.snapshot().beacon_closed_1007_total === 1);
    expect(beacon.metrics.snapshot().beacon_client_disconnects_total).toBe(
      before.beacon_client_disconnects_total,
    );
    await bystanderStillServed();
  });

  it('refuses data nested deeper than 32 levels with bad_frame, logging nothing at ERROR', async () => {
    const logged: string[] = [];
    const spies = [process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        logged.push(String(chunk));
        return true;
      }),
    );
    try {
      const c = await TestClient.connect(beacon.wsUrl());
      const deep = `{"type":"publish","topic":"deep","id":1,"data":${'['.repeat(2000)}${']'.repeat(2000)}}`;
      c.send(deep);
      // Refused before it is parsed, so without the frame's id.
      expect(await c.waitFor((f) => f.type === 'error')).toEqual({
        type: 'error',
        code: 'bad_frame',
        message: 'frame nests deeper than 32 levels',
      });
      // 31 levels of data inside the frame object are fine
      expect(
        await c.request({
          type: 'publish',
          topic: 'deep',
          data: JSON.parse(`${'['.repeat(31)}${']'.repeat(31)}`),
        }),
      ).toMatchObject({ type: 'ack' });
      c.close();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(logged.filter((line) => /ERROR/.test(line))).toEqual([]);
    await bystanderStillServed();
  });

  it('quotes at most 64 characters of client text in an error', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    const unknown = await c.request({ type: 'x'.repeat(3000) });
    expect(unknown).toMatchObject({ code: 'unknown_type' });
    expect(String(unknown.message).length).toBeLessThan(100);
    const invalid = await c.request({ type: 'subscribe', topic: `${'y'.repeat(300)} z` });
    expect(invalid).toMatchObject({ code: 'invalid_topic' });
    expect(String(invalid.topic).length).toBeLessThanOrEqual(65);
    expect(String(invalid.message).length).toBeLessThan(100);
    c.close();
  });

  it('refuses a client publish to more topics than BEACON_MAX_TOPICS_PER_PUBLISH with too_many_topics', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('p1');
    const err = await c.request({ type: 'publish', topics: ['p1', 'p2', 'p3', 'p4'], data: 1 });
    expect(err).toMatchObject({
      type: 'error',
      code: 'too_many_topics',
      message: expect.stringMatching(/at most 3/),
    });
    expect(await c.request({ type: 'publish', topics: ['p1', 'p2', 'p3'], data: 2 })).toMatchObject({
      type: 'ack',
    });
    await waitUntil(() => c.messages('p1').length === 1);
    expect(c.messages('p1')[0]?.data).toBe(2);
    c.close();
    await bystanderStillServed();
  });

  it('counts WebSocket protocol pings against the frame rate (4029), and answers them while within it', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    const pongs: string[] = [];
    c.ws.on('pong', (data) => pongs.push(data.toString()));
    c.ws.ping('hello');
    await waitUntil(() => pongs.length === 1);
    expect(pongs).toEqual(['hello']);
    for (let i = 0; i < 200; i++) c.ws.ping();
    expect(await c.waitClosed()).toBe(CloseCode.Flood);
    await bystanderStillServed();
  });

  it('closes a flooding client with 4029', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    for (let i = 0; i < 200; i++) c.send({ type: 'ping' });
    expect(await c.waitClosed()).toBe(CloseCode.Flood);
    await bystanderStillServed();
  });

  it('rate-limits client publishes with an error, keeping the connection', async () => {
    const { tokenKey } = await beacon.persistence.apps.create({
      name: 'fast',
      key: 'fast',
      settings: { clientPublish: true },
    });
    const c = await TestClient.connect(beacon.wsUrl('fast', await signToken(tokenKey.secret, { sub: 'f' })));
    for (let i = 0; i < 25; i++) c.send({ type: 'publish', topic: 'f', data: i, id: i });
    await c.waitFor((f) => f.type === 'error' && f.code === 'rate_limited');
    await c.sync();
    expect(c.closeCode).toBeNull();
    expect(c.frames.filter((f) => f.type === 'ack')).toHaveLength(20); // the burst
    c.close();
    await bystanderStillServed();
  });

  it('rejects binary frames with bad_frame', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'bad_frame' });
    c.close();
  });
});

describe('bad REST input gets a problem response', () => {
  it.each([
    ['malformed JSON', '{"topic":', 400, 'invalid_request'],
    ['no topic', { data: 1 }, 400, 'invalid_request'],
    ['no data', { topic: 'a' }, 400, 'invalid_request'],
    ['unknown fields', { topic: 'a', data: 1, extra: true }, 400, 'invalid_request'],
    ['an invalid topic', { topic: 'bad topic', data: 1 }, 400, 'invalid_topic'],
    ['an oversize payload', { topic: 'a', data: 'x'.repeat(70_000) }, 413, 'payload_too_large'],
    ['an oversize body', { topic: 'a', data: 'x'.repeat(200_000) }, 413, 'payload_too_large'],
  ])('%s', async (_name, body, status, code) => {
    const res = await beacon.api('POST', '/v1/publish', body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, status, detail: expect.any(String) });
    await bystanderStillServed();
  });

  it('an unknown route is a 404 problem', async () => {
    const res = await beacon.api('GET', '/v1/nope');
    expect(res).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });
});
