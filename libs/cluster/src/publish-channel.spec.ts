import * as grpc from '@grpc/grpc-js';
import { cluster } from '@beacon/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/wait.js';
import { ClusterRouter } from './cluster.router.js';
import { PublishError } from './publish-channel.js';

type Call = grpc.ServerDuplexStream<cluster.PublishCall, cluster.PublishResult>;

/** A topic-service whose PublishStream answers as `answer` says (or not at all). */
async function fakeTopicService(answer: (c: cluster.PublishCall, call: Call) => void) {
  const server = new grpc.Server();
  const streams: Call[] = [];
  let unary = 0;
  server.addService(cluster.TopicServiceService, {
    publishStream: (call: Call) => {
      streams.push(call);
      call.on('data', (c: cluster.PublishCall) => answer(c, call));
      call.on('error', () => undefined);
    },
    publish: (_: unknown, cb: (e: null, r: cluster.PublishReply) => void) => {
      unary++;
      cb(null, { id: 'unary', ts: 1, positions: [] });
    },
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { server, streams, port, unaryCalls: () => unary };
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

const data = '{"x":1}';

describe('ClusterRouter publishes on one PublishStream', () => {
  it('every publish is a message on the same stream, matched to its result by request id', async () => {
    const ts = await fakeTopicService((c, call) =>
      call.write({
        requestId: c.requestId,
        reply: { id: `m.${c.requestId}`, ts: 5, positions: [] },
        code: 0,
        message: '',
      }),
    );
    const router = new ClusterRouter({ topicServiceUrl: `127.0.0.1:${ts.port}`, deadlineMs: 2_000 });
    cleanup.push(
      () => router.close(),
      () => ts.server.forceShutdown(),
    );
    const replies = await Promise.all([1, 2, 3].map(() => router.publish('app', ['t'], data)));
    expect(replies).toEqual([
      { id: 'm.1', ts: 5 },
      { id: 'm.2', ts: 5 },
      { id: 'm.3', ts: 5 },
    ]);
    expect(ts.streams).toHaveLength(1);
    expect(ts.unaryCalls()).toBe(0);
  });

  it('a refusal carries its gRPC status; the stream stays up', async () => {
    const ts = await fakeTopicService((c, call) =>
      c.request?.topics[0] === 'bad'
        ? call.write({
            requestId: c.requestId,
            reply: undefined,
            code: grpc.status.INVALID_ARGUMENT,
            message: 'no',
          })
        : call.write({
            requestId: c.requestId,
            reply: { id: 'ok', ts: 1, positions: [] },
            code: 0,
            message: '',
          }),
    );
    const router = new ClusterRouter({ topicServiceUrl: `127.0.0.1:${ts.port}`, deadlineMs: 2_000 });
    cleanup.push(
      () => router.close(),
      () => ts.server.forceShutdown(),
    );
    await expect(router.publish('app', ['bad'], data)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'no',
    });
    await expect(router.publish('app', ['good'], data)).resolves.toEqual({ id: 'ok', ts: 1 });
    expect(ts.streams).toHaveLength(1);
  });

  it('an unanswered publish fails at its deadline; a lost stream fails what waits and the next publish reopens', async () => {
    let silent = true;
    const ts = await fakeTopicService((c, call) => {
      if (!silent)
        call.write({
          requestId: c.requestId,
          reply: { id: 'late', ts: 1, positions: [] },
          code: 0,
          message: '',
        });
    });
    const router = new ClusterRouter({ topicServiceUrl: `127.0.0.1:${ts.port}`, deadlineMs: 100 });
    cleanup.push(
      () => router.close(),
      () => ts.server.forceShutdown(),
    );
    await expect(router.publish('app', ['t'], data)).rejects.toMatchObject({
      code: grpc.status.DEADLINE_EXCEEDED,
    });

    const waiting = router.publish('app', ['t'], data);
    await waitUntil(() => ts.streams.length === 1);
    ts.streams[0]!.emit('error', { code: grpc.status.UNAVAILABLE, details: 'going away' });
    await expect(waiting).rejects.toBeInstanceOf(PublishError);
    silent = false;
    await expect(router.publish('app', ['t'], data)).resolves.toEqual({ id: 'late', ts: 1 });
    expect(ts.streams).toHaveLength(2);
  });

  it('nothing listening: publishes fail UNAVAILABLE', async () => {
    const router = new ClusterRouter({ topicServiceUrl: '127.0.0.1:9', deadlineMs: 2_000 });
    cleanup.push(() => router.close());
    await expect(router.publish('app', ['t'], data)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });
});
