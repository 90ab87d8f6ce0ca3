import type { Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsRegistry } from '@beacon/metrics';
import {
  APP_AUTHENTICATOR,
  AUDIT_SINK,
  type ApiApp,
  type AppAuthenticator,
  type AuditSink,
} from '../ports.js';
import { PushApiException } from '../push-api.exception.js';
import { auditPushCall, isRefusal, type AuditScope, type PushCall } from '../push-call.js';
import { RequestTiming } from '../request-timing.js';
import { auditKindOf, type PushAction } from '../routes.js';
import { authenticateCall, peerAddress } from './grpc-auth.js';
import { grpcAuditResult, toGrpcError } from './grpc-status.js';

/** The parts of a grpc-js server call the push API uses. */
export interface GrpcCallInfo {
  metadata: Metadata;
  getPeer(): string;
}

/**
 * Runs one PushService call: authenticates it, runs the handler (a use case, push-use-cases.ts), maps a
 * refusal or failure to a gRPC status once (GRPC_STATUS), and audits it whatever happened, as REST does
 * (push-call.ts): refusals through `refusal`, successful data-plane calls through `tally`, changes
 * through `record`.
 */
@Injectable()
export class GrpcCalls {
  private readonly logger = new Logger('PushGrpc');

  constructor(
    @Inject(APP_AUTHENTICATOR) private readonly auth: AppAuthenticator,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
  ) {
    this.timing = new RequestTiming(metrics);
  }

  private readonly timing: RequestTiming;

  async run<T extends object>(
    action: PushAction,
    call: GrpcCallInfo,
    handler: (app: ApiApp, scope: AuditScope) => Promise<PushCall<T>>,
  ): Promise<T> {
    const started = performance.now();
    const scope: AuditScope = { target: null };
    let app: ApiApp | undefined;
    let failure: PushApiException | undefined;
    try {
      const auth = await authenticateCall(this.auth, call.metadata);
      app = auth.app;
      if (!auth.ok) throw auth.error;
      const result = await handler(auth.app, scope);
      if (isRefusal(result)) throw result;
      return result;
    } catch (err) {
      failure = this.normalise(err);
      throw toGrpcError(failure);
    } finally {
      auditPushCall(
        this.audit,
        action,
        auditKindOf(action),
        app,
        scope.target,
        grpcAuditResult(failure),
        failure !== undefined,
        peerAddress(call.getPeer()),
      );
      this.timing.observe('grpc', action, RequestTiming.ofCode(failure?.code), performance.now() - started);
    }
  }

  private normalise(err: unknown): PushApiException {
    if (err instanceof PushApiException) return err;
    // A bug, not a client error; the stack names code, not request content.
    this.logger.error(err instanceof Error ? (err.stack ?? err.name) : 'non-Error thrown');
    return new PushApiException('internal', 'internal error');
  }
}
