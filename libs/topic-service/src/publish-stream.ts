import type { ServerDuplexStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { cluster } from '@beacon/contracts';
import type { TopicRouter } from './topic-router.js';
import { TopicServiceException } from './topic-service.exception.js';

export type PublishStreamCall = ServerDuplexStream<cluster.PublishCall, cluster.PublishResult>;

/** Results waiting to be sent on one PublishStream before it is ended as not reading. */
export const MAX_QUEUED_RESULTS = 10_000;

/**
 * One push API's PublishStream: every PublishCall is checked and routed exactly like a unary
 * Publish, and answered with a PublishResult carrying its request id (the reply, or the gRPC status
 * code and message of the refusal; the stream stays up). Results wait in the call's buffer, which is
 * bounded: a caller that stops reading them past MAX_QUEUED_RESULTS is ended with RESOURCE_EXHAUSTED.
 */
export function servePublishStream(call: PublishStreamCall, router: TopicRouter): void {
  let ended = false;
  const end = (code: status, details: string): void => {
    if (ended) return;
    ended = true;
    call.removeAllListeners('data');
    call.emit('error', { code, details });
  };
  call.on('data', (m: cluster.PublishCall) => {
    if (ended) return;
    if (call.writableLength >= MAX_QUEUED_RESULTS) {
      end(status.RESOURCE_EXHAUSTED, `more than ${MAX_QUEUED_RESULTS} results waiting`);
      return;
    }
    const requestId = m.requestId;
    let result: cluster.PublishResult;
    try {
      if (m.request === undefined || m.request === null)
        throw new TopicServiceException('invalid_argument', 'request: missing');
      result = { requestId, reply: router.publish(m.request), code: 0, message: '' };
    } catch (err) {
      const e =
        err instanceof TopicServiceException
          ? err
          : new TopicServiceException('invalid_argument', 'bad request');
      result = { requestId, reply: undefined, code: e.grpcStatus, message: e.message };
    }
    call.write(result);
  });
  call.on('end', () => {
    if (!ended) call.end();
    ended = true;
  });
  call.on('error', () => {
    ended = true;
  });
  call.on('cancelled', () => {
    ended = true;
  });
}
