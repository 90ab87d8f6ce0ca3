import { Metadata, status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import type { PushApiErrorCode, PushApiException } from '../push-api.exception.js';

/**
 * The push API's error codes as gRPC status codes: the one mapping for the gRPC transport (REST maps the
 * same codes to HTTP in ProblemFilter). Typed over every code, so a new code cannot be left unmapped.
 */
export const GRPC_STATUS: Readonly<Record<PushApiErrorCode, status>> = {
  missing_credentials: status.UNAUTHENTICATED,
  invalid_key: status.UNAUTHENTICATED,
  key_revoked: status.UNAUTHENTICATED,
  app_disabled: status.PERMISSION_DENIED,
  invalid_request: status.INVALID_ARGUMENT,
  invalid_topic: status.INVALID_ARGUMENT,
  client_not_found: status.NOT_FOUND,
  no_presence: status.NOT_FOUND,
  no_history: status.NOT_FOUND,
  not_found: status.NOT_FOUND,
  payload_too_large: status.RESOURCE_EXHAUSTED,
  unsupported_media_type: status.INVALID_ARGUMENT,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

/** Trailing metadata key carrying the push API error code (`invalid_topic`, ...) beside the gRPC status. */
export const ERROR_CODE_METADATA = 'beacon-error-code';

/** What a gRPC handler throws for a push API failure: status, message and the code in trailing metadata. */
export function toGrpcError(err: PushApiException): RpcException {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA, err.code);
  return new RpcException({
    code: GRPC_STATUS[err.code],
    message: err.detail,
    details: err.detail,
    metadata,
  });
}

/** The audit `result` of a gRPC call: `grpc:OK`, or `grpc:<STATUS> <code>` (REST writes `<http status> <code>`). */
export function grpcAuditResult(err?: PushApiException): string {
  return err === undefined ? 'grpc:OK' : `grpc:${status[GRPC_STATUS[err.code]]} ${err.code}`;
}
