import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as HEALTH_PROTO } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { push } from '@beacon/contracts';
import { CloseCode } from '@beacon/protocol';
import { DEV_KEY, DEV_SECRET, signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { freePort } from '../support/ports.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

const BUF = fileURLToPath(new URL('../../node_modules/.bin/buf', import.meta.url));
const run = promisify(execFile);
const MAX = 1024;

let beacon: TestBeacon;
let client: push.PushServiceClient;
let grpcPort: number;

beforeAll(async () => {
  grpcPort = await freePort();
  beacon = await startTestBeacon({
    BEACON_GRPC_PORT: String(grpcPort),
    BEACON_MAX_MESSAGE_BYTES: String(MAX),
  });
  client = new push.PushServiceClient(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await beacon?.stop();
});

/** The last (fullest) overload of a generated client method, which is what inference picks. */
type Unary<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  cb: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

/** One unary call with `authorization: Bearer <secret>` (none when secret is null). */
function call<Req, Res>(method: Unary<Req, Res>, req: Req, secret: string | null = DEV_SECRET): Promise<Res> {
  const md = new grpc.Metadata();
  if (secret !== null) md.set('authorization', `Bearer ${secret}`);
  return new Promise((resolve, reject) =>
    method.call(client, req, md, { deadline: Date.now() + 10_000 }, (err, res) =>
      err === null ? resolve(res) : reject(err),
    ),
  );
}

async function failure(p: Promise<unknown>): Promise<{ code: number; details: string; beaconCode: unknown }> {
  const err = (await p.then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  )) as grpc.ServiceError;
  return { code: err.code, details: err.details, beaconCode: err.metadata.get('beacon-error-code')[0] };
}

describe('gRPC PushService (single process)', () => {
  it('Publish reaches WebSocket subscribers of every topic, with the data as sent', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('g.news', 'g.sport');
    const receipt = await call(client.publish, {
      topics: ['g.news', 'g.sport', 'g.news'],
      dataJson: '{"headline": "hi", "n": [1, 2]}',
    });
    expect(receipt.id).toMatch(/\S+/);
    expect(receipt.ts).toBeGreaterThan(0);
    await waitUntil(() => c.messages().length === 2);
    expect(c.messages('g.news')[0]).toMatchObject({ id: receipt.id, data: { headline: 'hi', n: [1, 2] } });
    expect(c.messages('g.sport')[0]).toMatchObject({ id: receipt.id, ts: receipt.ts });
    c.close();
  });

  it('SendToUser, SendToClient, Presence, TopicSubscribers, ListTopics, Broadcast and Disconnect', async () => {
    const { secret, tokenKey } = await beacon.persistence.apps.create({ name: 'G', key: 'gapp' });
    const token = await signToken(tokenKey.secret, { sub: 'gina', subscribe: ['**'] });
    const [u1, u2] = await Promise.all([
      TestClient.connect(beacon.wsUrl('gapp', token)),
      TestClient.connect(beacon.wsUrl('gapp', token)),
    ]);
    await u1.subscribe('room.1');

    const toUser = await call(
      client.sendToUser,
      { userId: 'gina', dataJson: '"hey"', topic: 'inbox' },
      secret,
    );
    expect(toUser.delivered).toBe(2);
    await waitUntil(() => u1.messages('inbox').length === 1 && u2.messages('inbox').length === 1);
    expect(u1.messages('inbox')[0]).toMatchObject({ data: 'hey' });

    const toClient = await call(client.sendToClient, { clientId: u2.clientId, dataJson: '{"x":1}' }, secret);
    expect(toClient.delivered).toBe(1);
    await waitUntil(() => u2.messages().some((m) => (m.data as { x?: number }).x === 1));

    expect(await call(client.presence, { userId: 'gina' }, secret)).toEqual({
      userId: 'gina',
      online: true,
      connections: 2,
    });
    expect(await call(client.topicSubscribers, { topics: ['room.1', 'room.2'] }, secret)).toEqual({
      topics: [
        { topic: 'room.1', subscribers: 1 },
        { topic: 'room.2', subscribers: 0 },
      ],
    });
    expect(await call(client.listTopics, { prefix: 'room.', limit: 0 }, secret)).toEqual({
      topics: [{ topic: 'room.1', subscribers: 1 }],
    });
    expect((await call(client.broadcast, { dataJson: 'true' }, secret)).delivered).toBe(2);

    expect(await call(client.disconnectClient, { clientId: u2.clientId }, secret)).toEqual({
      disconnected: 1,
    });
    expect(await u2.waitClosed()).toBe(CloseCode.Kicked);
    expect(await call(client.disconnectUser, { userId: 'gina' }, secret)).toEqual({ disconnected: 1 });
    expect(await u1.waitClosed()).toBe(CloseCode.Kicked);
  });

  it('refuses a wrong or missing key with UNAUTHENTICATED and delivers nothing', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('g.locked');
    const wrong = await failure(
      call(client.publish, { topics: ['g.locked'], dataJson: '1' }, 'not-a-secret'),
    );
    expect(wrong).toMatchObject({ code: grpc.status.UNAUTHENTICATED, beaconCode: 'invalid_key' });
    const none = await failure(call(client.publish, { topics: ['g.locked'], dataJson: '1' }, null));
    expect(none).toMatchObject({ code: grpc.status.UNAUTHENTICATED, beaconCode: 'missing_credentials' });
    await c.sync();
    expect(c.messages()).toEqual([]);
    c.close();
  });

  it('refuses a disabled app with PERMISSION_DENIED', async () => {
    const { secret } = await beacon.persistence.apps.create({ name: 'Off', key: 'goff' });
    await beacon.persistence.apps.setEnabled('goff', false);
    const err = await failure(call(client.publish, { topics: ['a'], dataJson: '1' }, secret));
    expect(err).toMatchObject({ code: grpc.status.PERMISSION_DENIED, beaconCode: 'app_disabled' });
  });

  it('validates like REST: topics, JSON, size, ids, unknown clients', async () => {
    const cases: Array<[Promise<unknown>, grpc.status, string]> = [
      [
        call(client.publish, { topics: ['bad topic'], dataJson: '1' }),
        grpc.status.INVALID_ARGUMENT,
        'invalid_topic',
      ],
      [call(client.publish, { topics: [], dataJson: '1' }), grpc.status.INVALID_ARGUMENT, 'invalid_request'],
      [
        call(client.publish, { topics: Array.from({ length: 101 }, (_, i) => `t${i}`), dataJson: '1' }),
        grpc.status.INVALID_ARGUMENT,
        'invalid_request',
      ],
      [
        call(client.publish, { topics: ['a'], dataJson: '{"a":' }),
        grpc.status.INVALID_ARGUMENT,
        'invalid_request',
      ],
      [
        call(client.publish, { topics: ['a'], dataJson: '' }),
        grpc.status.INVALID_ARGUMENT,
        'invalid_request',
      ],
      [
        call(client.publish, { topics: ['a'], dataJson: JSON.stringify('x'.repeat(MAX)) }),
        grpc.status.RESOURCE_EXHAUSTED,
        'payload_too_large',
      ],
      [
        call(client.broadcast, { dataJson: '1', topic: 'bad label' }),
        grpc.status.INVALID_ARGUMENT,
        'invalid_topic',
      ],
      [
        call(client.sendToUser, { userId: '', dataJson: '1' }),
        grpc.status.INVALID_ARGUMENT,
        'invalid_request',
      ],
      [
        call(client.sendToClient, { clientId: 'c-nobody', dataJson: '1' }),
        grpc.status.NOT_FOUND,
        'client_not_found',
      ],
      [
        call(client.listTopics, { prefix: '', limit: 10_001 }),
        grpc.status.INVALID_ARGUMENT,
        'invalid_request',
      ],
    ];
    for (const [p, code, beaconCode] of cases) {
      expect(await failure(p)).toMatchObject({ code, beaconCode });
    }
  });

  it('refuses data_json nested deeper than 32 levels with INVALID_ARGUMENT and delivers nothing', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('g.deep');
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    for (const depth of [33, 500]) {
      const err = await failure(call(client.publish, { topics: ['g.deep'], dataJson: deep(depth) }));
      expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, beaconCode: 'invalid_request' });
      expect(err.details).toMatch(/deep/);
    }
    await call(client.publish, { topics: ['g.deep'], dataJson: deep(32) });
    await waitUntil(() => c.messages('g.deep').length === 1);
    await c.sync();
    expect(c.messages('g.deep')).toHaveLength(1);
    c.close();
  });

  it('writes an audit record for every call, marked as gRPC, refused or not', async () => {
    // Refusals: the first of a window is a row, its repeats are counted into one (sum the counts).
    const refused = async () => {
      await beacon.persistence.audit.flush();
      return (await beacon.persistence.audit.query({ actor: 'unauthenticated', action: 'publish' }))
        .filter((r) => r.result === 'grpc:UNAUTHENTICATED invalid_key')
        .reduce((n, r) => n + r.count, 0);
    };
    const before = await refused();
    await call(client.publish, { topics: ['g.audit'], dataJson: '1' });
    await failure(call(client.publish, { topics: ['g.audit'], dataJson: '1' }, 'wrong-secret-for-audit'));
    const dev = await beacon.persistence.apps.findByKey(DEV_KEY);
    let rows: Awaited<ReturnType<typeof beacon.persistence.audit.query>> = [];
    await waitUntil(async () => {
      // A successful publish is counted into its window's row: flush ends the window.
      await beacon.persistence.audit.flush();
      rows = (await beacon.persistence.audit.query({ action: 'publish' })).filter(
        (r) => r.target === 'g.audit',
      );
      return rows.length === 1 && (await refused()) === before + 1;
    });
    expect(rows[0]).toMatchObject({
      actor: `app:${DEV_KEY}`,
      appId: dev?.id,
      action: 'publish',
      target: 'g.audit',
      result: 'grpc:OK',
      count: 1,
      remoteAddr: expect.stringMatching(/127\.0\.0\.1/),
    });
  });

  it('answers the standard health check with SERVING', async () => {
    const def = grpc.loadPackageDefinition(loadSync(HEALTH_PROTO, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
    };
    const health = new def.grpc.health.v1.Health(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    try {
      for (const service of ['', 'beacon.push.v1.PushService']) {
        const res = await new Promise<{ status: string }>((resolve, reject) =>
          (health as unknown as Record<string, Unary<object, { status: string }>>).Check!.call(
            health,
            { service },
            new grpc.Metadata(),
            {},
            (err, r) => (err === null ? resolve(r) : reject(err)),
          ),
        );
        expect(res.status).toBe('SERVING');
      }
    } finally {
      health.close();
    }
  });

  it('serves reflection: buf curl lists the services and calls Publish and Health/Check by name', async () => {
    const base = ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--reflect'];
    const url = `http://127.0.0.1:${grpcPort}`;
    const { stdout: services } = await run(BUF, [...base, '--list-services', url]);
    expect(services.split('\n')).toEqual(
      expect.arrayContaining(['beacon.push.v1.PushService', 'grpc.health.v1.Health']),
    );

    const { stdout: health } = await run(BUF, [...base, `${url}/grpc.health.v1.Health/Check`]);
    expect(JSON.parse(health)).toEqual({ status: 'SERVING' });

    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('g.buf');
    const { stdout } = await run(BUF, [
      ...base,
      '-H',
      `authorization: Bearer ${DEV_SECRET}`,
      '-d',
      JSON.stringify({ topics: ['g.buf'], data_json: '{"a":1}' }),
      `${url}/beacon.push.v1.PushService/Publish`,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ id: expect.any(String) });
    await waitUntil(() => c.messages('g.buf').length === 1);
    expect(c.messages('g.buf')[0]).toMatchObject({ data: { a: 1 } });
    c.close();
  });
  it('/metrics (prom-client) times REST and gRPC calls by outcome and the publish-to-write path', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('g.timed');
    await call(client.publish, { topics: ['g.timed'], dataJson: '1' });
    await failure(call(client.publish, { topics: ['g.timed'], dataJson: '1' }, 'not-a-secret'));
    expect((await beacon.api('POST', '/v1/publish', { topic: 'g.timed', data: 2 })).status).toBe(200);
    await waitUntil(() => c.messages('g.timed').length === 2);
    const text = await (await fetch(`${beacon.url}/metrics`)).text();
    const count = (labels: string) =>
      Number(
        new RegExp(`^beacon_push_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1],
      );
    expect(count('transport="grpc",operation="publish",outcome="ok"')).toBeGreaterThanOrEqual(1);
    expect(count('transport="grpc",operation="publish",outcome="refused"')).toBeGreaterThanOrEqual(1);
    expect(count('transport="rest",operation="publish",outcome="ok"')).toBeGreaterThanOrEqual(1);
    expect(Number(/^beacon_publish_to_write_seconds_count (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(
      2,
    );
    // prom-client's default process metrics, beside Beacon's own counters
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \S+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^beacon_deliveries_total \d+$/m);
    c.close();
  });
});
