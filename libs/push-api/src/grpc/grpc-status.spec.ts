import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { PushApiErrors, PushApiException, type PushApiErrorCode } from '../push-api.exception.js';
import { ERROR_CODE_METADATA, GRPC_STATUS, grpcAuditResult, toGrpcError } from './grpc-status.js';

describe('gRPC status mapping', () => {
  it('maps every push API error code', () => {
    expect(Object.keys(GRPC_STATUS).sort()).toEqual(Object.keys(PushApiErrors).sort());
  });

  it.each<[PushApiErrorCode, status]>([
    ['missing_credentials', status.UNAUTHENTICATED],
    ['invalid_key', status.UNAUTHENTICATED],
    ['key_revoked', status.UNAUTHENTICATED],
    ['app_disabled', status.PERMISSION_DENIED],
    ['invalid_request', status.INVALID_ARGUMENT],
    ['invalid_topic', status.INVALID_ARGUMENT],
    ['client_not_found', status.NOT_FOUND],
    ['payload_too_large', status.RESOURCE_EXHAUSTED],
    ['unavailable', status.UNAVAILABLE],
    ['internal', status.INTERNAL],
  ])('%s -> %s', (code, expected) => {
    expect(GRPC_STATUS[code]).toBe(expected);
  });

  it('agrees with the HTTP status class of each code', () => {
    const byHttp: Record<number, status[]> = {
      400: [status.INVALID_ARGUMENT],
      401: [status.UNAUTHENTICATED],
      403: [status.PERMISSION_DENIED],
      404: [status.NOT_FOUND],
      413: [status.RESOURCE_EXHAUSTED],
      415: [status.INVALID_ARGUMENT],
      500: [status.INTERNAL],
      503: [status.UNAVAILABLE],
    };
    for (const [code, { status: http }] of Object.entries(PushApiErrors)) {
      expect(byHttp[http], code).toContain(GRPC_STATUS[code as PushApiErrorCode]);
    }
  });

  it('builds the error with status, message and the code in trailing metadata', () => {
    const err = toGrpcError(new PushApiException('invalid_topic', 'invalid topic name "a b"')).getError() as {
      code: number;
      message: string;
      metadata: Metadata;
    };
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.message).toBe('invalid topic name "a b"');
    expect(err.metadata.get(ERROR_CODE_METADATA)).toEqual(['invalid_topic']);
  });

  it('writes audit results with a transport marker', () => {
    expect(grpcAuditResult()).toBe('grpc:OK');
    expect(grpcAuditResult(new PushApiException('invalid_key', 'x'))).toBe(
      'grpc:UNAUTHENTICATED invalid_key',
    );
    expect(grpcAuditResult(new PushApiException('payload_too_large', 'x'))).toBe(
      'grpc:RESOURCE_EXHAUSTED payload_too_large',
    );
  });
});
