import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEV_SECRET, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon({ BEACON_MAX_TOPIC_LENGTH: '300', BEACON_LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await beacon?.stop();
});
afterEach(() => vi.restoreAllMocks());

/** Everything the process writes to stdout and stderr while `fn` runs. */
async function output(fn: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const keep = (s: unknown): boolean => (lines.push(String(s)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  await fn();
  vi.restoreAllMocks();
  return lines.join('');
}

async function post(path: string, body: string, contentType = 'application/json') {
  const res = await fetch(`${beacon.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEV_SECRET}`, 'content-type': contentType },
    body,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('REST refusals are documented client errors', () => {
  it('refuses data nested deeper than 32 levels with 400 invalid_request, logging nothing at ERROR', async () => {
    let res: Awaited<ReturnType<typeof post>> | undefined;
    const logged = await output(async () => {
      res = await post('/v1/publish', `{"topic":"deep","data":${nested(2000)}}`);
    });
    expect(res).toMatchObject({
      status: 400,
      body: { code: 'invalid_request', detail: expect.stringMatching(/deep/) },
    });
    expect(res?.type).toMatch(/^application\/problem\+json/);
    expect(logged).not.toMatch(/ERROR/);
    // 32 levels are fine
    expect((await post('/v1/publish', `{"topic":"deep","data":${nested(32)}}`)).status).toBe(200);
    expect((await post('/v1/publish', `{"topic":"deep","data":${nested(33)}}`)).status).toBe(400);
  });

  it('answers a body in a charset other than UTF-8 with 415 unsupported_media_type', async () => {
    const res = await post('/v1/publish', '{"topic":"a","data":1}', 'application/json; charset=utf-16');
    expect(res).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });
    expect(
      (await post('/v1/publish', '{"topic":"a","data":1}', 'application/json; charset=UTF-8')).status,
    ).toBe(200);
  });

  it('answers a body that is not JSON with 415 unsupported_media_type', async () => {
    const res = await post('/v1/publish', 'topic=a', 'application/x-www-form-urlencoded');
    expect(res).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });
  });

  it('honours BEACON_MAX_TOPIC_LENGTH for publish, labels and subscriber counts', async () => {
    const long = 't'.repeat(250);
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe(long);
    expect((await post('/v1/publish', JSON.stringify({ topic: long, data: 1 }))).status).toBe(200);
    expect((await post('/v1/publish', JSON.stringify({ topics: [long], data: 2 }))).status).toBe(200);
    await waitUntil(() => c.messages(long).length === 2);
    const counts = await beacon.api('GET', `/v1/topics/subscribers?topic=${long}`);
    expect(counts).toMatchObject({ status: 200, body: { topics: [{ topic: long, subscribers: 1 }] } });
    expect((await post('/v1/broadcast', JSON.stringify({ data: 1, topic: long }))).status).toBe(200);
    const tooLong = 't'.repeat(301);
    expect((await post('/v1/publish', JSON.stringify({ topic: tooLong, data: 1 }))).body).toMatchObject({
      code: 'invalid_topic',
    });
    expect((await post('/v1/publish', JSON.stringify({ topics: [tooLong], data: 1 }))).status).toBe(400);
    c.close();
  });
});
