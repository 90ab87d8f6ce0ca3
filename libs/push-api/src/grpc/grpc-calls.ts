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
import { RequestTiming } from '../request-timing.js';
import { auditKindOf, type PushAction } from '../routes.js';
import { authenticateCall, peerAddress } from './grpc-auth.js';
import { grpcAuditResult, toGrpcError } from './grpc-status.js';

/** The parts of a grpc-js server call the push API uses. */
export interface GrpcCallInfo {
  metadata: Metadata;
  getPeer(): string;
}

/** Set by a handler once it knows what the call is about; written to the audit record (as REST). */
export interface AuditScope {
  target: string | null;
}

/**
 * Runs one PushService call: authenticates it, runs the handler, maps any failure to a gRPC status once
 * (GRPC_STATUS), and audits it whatever happened, as REST does (rest/rest-routes.ts): refusals through
 * `refusal`, successful data-plane calls through `tally`, changes through `record`.
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

  async run<T>(
    action: PushAction,
    call: GrpcCallInfo,
    handler: (app: ApiApp, scope: AuditScope) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const scope: AuditScope = { target: null };
    let app: ApiApp | undefined;
    let failure: PushApiException | undefined;
    try {
      const auth = await authenticateCall(this.auth, call.metadata);
      app = auth.app;
      if (!auth.ok) throw auth.error;
      return await handler(auth.app, scope);
    } catch (err) {
      failure = this.normalise(err);
      throw toGrpcError(failure);
    } finally {
      const entry = {
        actor: app === undefined ? 'unauthenticated' : `app:${app.key}`,
        appId: app?.id ?? null,
        action,
        target: scope.target,
        result: grpcAuditResult(failure),
        remoteAddr: peerAddress(call.getPeer()),
      };
      if (failure !== undefined) this.audit.refusal(entry);
      else if (auditKindOf(action) === 'tally') this.audit.tally(entry);
      else this.audit.record(entry);
      const outcome = failure === undefined ? 'ok' : failure.code === 'internal' ? 'error' : 'refused';
      this.timing.observe('grpc', action, outcome, performance.now() - started);
    }
  }

  private normalise(err: unknown): PushApiException {
    if (err instanceof PushApiException) return err;
    // A bug, not a client error; the stack names code, not request content.
    this.logger.error(err instanceof Error ? (err.stack ?? err.name) : 'non-Error thrown');
    return new PushApiException('internal', 'internal error');
  }
}
