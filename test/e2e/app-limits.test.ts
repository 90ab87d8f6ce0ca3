import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@beacon/protocol';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { operatorClient } from '../support/admin.js';
import { TestClient, type Frame } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

// Issue 7: per-app overrides of the per-connection limits (publish rate and burst, topics per connection,
// message size), set through the admin API, honoured by the gateway; other apps keep the process-wide ones.

let beacon: TestBeacon;
beforeAll(async () => {
  beacon = await startTestBeacon({
    BEACON_PUBLISH_RATE: '100',
    BEACON_PUBLISH_BURST: '100',
    BEACON_MAX_TOPICS_PER_CONNECTION: '50',
    BEACON_APP_CHANGE_POLL_MS: '50',
  });
});
afterAll(async () => {
  await beacon.stop();
});

const errorCode = (f: Frame): unknown => (f.type === 'error' ? f.code : f.type);

describe('per-app limit overrides', () => {
  it('an app with overrides gets them; another app keeps the process-wide limits', async () => {
    const { client } = await operatorClient(beacon.url);
    await client.call('createApp', {
      body: {
        name: 'tight',
        key: 'tight',
        settings: {
          allowAnonymous: true,
          clientPublish: true,
          publishRate: 1,
          publishBurst: 2,
          maxTopicsPerConnection: 2,
          maxMessageBytes: 32,
        },
      },
    });
    const tight = await TestClient.connect(beacon.wsUrl('tight'));
    const hello = tight.frames.find((f) => f.type === 'connected') as Frame & {
      limits: Record<string, number>;
    };
    expect(hello.limits).toMatchObject({ maxTopics: 2, publishRate: 1, publishBurst: 2 });

    expect(errorCode(await tight.request({ type: 'subscribe', topics: ['a', 'b', 'c'] }))).toBe(
      ErrorCode.TooManyTopics,
    );
    expect(errorCode(await tight.request({ type: 'subscribe', topics: ['a', 'b'] }))).toBe('ack');
    expect(errorCode(await tight.request({ type: 'publish', topic: 'a', data: 'x'.repeat(40) }))).toBe(
      ErrorCode.PayloadTooLarge,
    );
    expect(errorCode(await tight.request({ type: 'publish', topic: 'a', data: 'ok' }))).toBe('ack');
    // the burst (2) is spent by the two publishes above; the next one inside the second is refused
    expect(errorCode(await tight.request({ type: 'publish', topic: 'a', data: 'ok' }))).toBe(
      ErrorCode.RateLimited,
    );

    const roomy = await TestClient.connect(beacon.wsUrl()); // the dev app: process-wide limits
    const roomyHello = roomy.frames.find((f) => f.type === 'connected') as Frame & {
      limits: Record<string, number>;
    };
    expect(roomyHello.limits).toMatchObject({ maxTopics: 50, publishRate: 100, publishBurst: 100 });
    expect(errorCode(await roomy.request({ type: 'subscribe', topics: ['a', 'b', 'c'] }))).toBe('ack');
    for (let i = 0; i < 5; i++)
      expect(errorCode(await roomy.request({ type: 'publish', topic: 'a', data: 'x'.repeat(40) }))).toBe(
        'ack',
      );
    tight.close();
    roomy.close();
  });

  it('a changed override reaches open connections; null restores the process default', async () => {
    const { client } = await operatorClient(beacon.url);
    await client.call('createApp', {
      body: { name: 'live', key: 'live', settings: { allowAnonymous: true, maxTopicsPerConnection: 1 } },
    });
    const c = await TestClient.connect(beacon.wsUrl('live'));
    expect(errorCode(await c.request({ type: 'subscribe', topics: ['a', 'b'] }))).toBe(
      ErrorCode.TooManyTopics,
    );
    await client.call('updateApp', {
      params: { key: 'live' },
      body: { settings: { maxTopicsPerConnection: null } },
    });
    await waitUntil(
      async () => errorCode(await c.request({ type: 'subscribe', topics: ['a', 'b'] })) === 'ack',
      2_000,
    );
    c.close();
  });
});
