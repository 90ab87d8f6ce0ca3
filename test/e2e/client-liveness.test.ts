import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Beacon, type DisconnectInfo, type SubscribedInfo } from '@beacon/client';
import { signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { publishAtRate } from '../support/publisher.js';
import { StallProxy } from '../support/stall-proxy.js';
import { waitUntil } from '../support/wait.js';

// The SDK's own liveness check against the real single process: a path that stops carrying the server's
// bytes without closing (a sleeping laptop's Wi-Fi, a dead NAT entry) is given up on by the client after
// the heartbeat interval plus a grace of at most 10 s, without waiting for the server's idle timeout, and
// the history topic is recovered. Its own server: a 1 s ping interval and a 15 s idle timeout, so the SDK
// allows 1 + 10 s of silence (it allowed the whole 15 s, checked once a second, before).

const INTERVAL_MS = 1_000;
const SILENCE_MS = INTERVAL_MS + 10_000;
let beacon: TestBeacon;
let proxy: StallProxy;
const app = { key: 'sdk-liveness', secret: '', tokenKey: '' };
let client: Beacon | undefined;

beforeAll(async () => {
  beacon = await startTestBeacon({
    BEACON_PING_INTERVAL_MS: String(INTERVAL_MS),
    BEACON_IDLE_TIMEOUT_MS: '15000',
  });
  const made = await beacon.persistence.apps.create({
    name: app.key,
    key: app.key,
    settings: { history: [{ pattern: 'h.*', size: 10_000, ttlSec: 600 }] },
  });
  app.secret = made.secret;
  app.tokenKey = made.tokenKey.secret;
  proxy = await StallProxy.start({ host: '127.0.0.1', port: Number(new URL(beacon.url).port) });
});
afterAll(async () => {
  client?.close();
  await proxy?.close();
  await beacon?.stop();
});

describe('@beacon/client liveness', () => {
  it('a connection that silently stops carrying bytes is dropped after interval + grace, replaced, and its history topic recovered', async () => {
    client = new Beacon({
      url: `ws://${proxy.address}/ws`,
      app: app.key,
      WebSocket,
      getToken: () => signToken(app.tokenKey, { sub: 'sleeper' }),
      reconnect: { minDelayMs: 100, maxDelayMs: 1_000 },
    });
    const disconnects: DisconnectInfo[] = [];
    const acks: SubscribedInfo[] = [];
    const seqs: number[] = [];
    let lastFrameAt = 0;
    client.on('disconnected', (d) => disconnects.push(d));
    client.subscribe('h.sleep', {
      message: (m) => {
        lastFrameAt = Date.now();
        seqs.push((m.data as { seq: number }).seq);
      },
      subscribed: (i) => acks.push(i),
    });
    await waitUntil(() => acks.length === 1);
    // 25 msg/s: what queues in the server meanwhile stays far below its outbound budget and TCP buffers,
    // so the server never closes the connection itself (it still hears the client's pings, too).
    const pub = publishAtRate(
      25,
      async (seq) => {
        const res = await beacon.api('POST', '/v1/publish', { topic: 'h.sleep', data: { seq } }, app.secret);
        if (res.status !== 200) throw new Error(`publish ${seq}: ${res.status}`);
      },
      { maxMs: 25_000 },
    );
    try {
      await waitUntil(() => seqs.length >= 10);
      proxy.stall('toClient');
      const stalledAt = Date.now();
      await waitUntil(() => disconnects.length === 1, SILENCE_MS + 5_000);
      const noticedAt = Date.now();
      proxy.resume(); // the next connection takes a path that works
      expect(disconnects[0]).toMatchObject({ code: 4009, reason: 'heartbeat timeout' });
      // silent for interval + grace after the last frame, then one turn of the loop; well before 15 s
      expect(noticedAt - lastFrameAt).toBeGreaterThanOrEqual(SILENCE_MS);
      expect(noticedAt - stalledAt).toBeLessThan(SILENCE_MS + 1_500);
      await waitUntil(() => acks.length === 2, 10_000);
      expect(acks[1]).toEqual({ resubscribed: true, recovered: true });
      const after = pub.sent;
      await waitUntil(() => (seqs.at(-1) ?? 0) >= after + 10, 5_000);
      pub.stop();
      await pub.done;
      const last = pub.sent - 1;
      await waitUntil(() => seqs.at(-1) === last, 5_000);
      // every message, the ones published during the silence included, once and in order
      expect(seqs).toEqual(Array.from({ length: last + 1 }, (_, i) => i));
      expect(client.state).toBe('connected');
    } finally {
      pub.stop();
      await pub.done.catch(() => undefined);
    }
  });
});
