import { status } from '@grpc/grpc-js';

/**
 * The topic-service's closed set of failures. Each maps to one gRPC status (for unary replies and for
 * the status an Attach stream is ended with); docs/topic-service.md lists them.
 */
export const TOPIC_SERVICE_ERRORS = {
  /** The call did not carry the cluster token (`authorization: Bearer <BEACON_CLUSTER_TOKEN>`). */
  unauthenticated: status.UNAUTHENTICATED,
  /** A request field is missing or malformed (app id, topic, user id, client id, target). */
  invalid_argument: status.INVALID_ARGUMENT,
  /** A request or a gateway's interest is past a documented bound. */
  too_large: status.RESOURCE_EXHAUSTED,
  /** An Attach stream sent something other than `register` first, or registered twice. */
  not_registered: status.INVALID_ARGUMENT,
  /** Another Attach with the same node id replaced this stream. */
  replaced: status.ABORTED,
  /** Nothing arrived from the gateway within the liveness timeout. */
  expired: status.UNAVAILABLE,
  /** The gateway did not read its stream: more than the bound of messages waited to be sent. */
  slow_gateway: status.RESOURCE_EXHAUSTED,
  /** The topic-service is shutting down; gateways reconnect and resend their interest. */
  shutting_down: status.UNAVAILABLE,
} as const;

export type TopicServiceErrorCode = keyof typeof TOPIC_SERVICE_ERRORS;

export class TopicServiceException extends Error {
  constructor(
    readonly code: TopicServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TopicServiceException';
  }

  /** The gRPC status for this failure. */
  get grpcStatus(): status {
    return TOPIC_SERVICE_ERRORS[this.code];
  }
}
