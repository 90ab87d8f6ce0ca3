import { MetricsRegistry, type Histogram } from '@beacon/metrics';
import { PushApiErrors, type PushApiErrorCode } from './push-api.exception.js';
import type { PushAction } from './routes.js';

export type Transport = 'rest' | 'grpc';
/**
 * `ok`: answered; `refused`: the caller's error (bad key, bad request, unknown client: 4xx, and the gRPC
 * statuses they map to); `unavailable`: the cluster could not route it (503 / UNAVAILABLE, the
 * topic-service unreachable or its queue full); `error`: a bug (500 / INTERNAL). The same call gets the
 * same outcome on both transports.
 */
export type CallOutcome = 'ok' | 'refused' | 'unavailable' | 'error';

const OUTCOMES: readonly CallOutcome[] = ['ok', 'refused', 'unavailable', 'error'];

/**
 * `beacon_push_request_duration_seconds{transport, operation, outcome}`: every push API call, from its
 * request arriving to its answer being handed to the transport. The labels are a small fixed set
 * (2 × 12 × 4); no app label, since apps are unbounded. Children are bound on first use, so an
 * observation is two map reads and a bucket search, no allocation.
 */
export class RequestTiming {
  private readonly of: (labels: Record<'transport' | 'operation' | 'outcome', string>) => Histogram;
  private readonly bound: Record<Transport, Map<PushAction, Histogram[]>> = {
    rest: new Map(),
    grpc: new Map(),
  };

  constructor(metrics: MetricsRegistry) {
    this.of = metrics.labelledHistogram(
      'beacon_push_request_duration_seconds',
      'Push API calls (REST and gRPC), from the request arriving to the answer',
      ['transport', 'operation', 'outcome'],
    );
  }

  /** A REST call's HTTP status as an outcome. */
  static ofStatus(status: number): CallOutcome {
    return status < 400 ? 'ok' : status < 500 ? 'refused' : status === 503 ? 'unavailable' : 'error';
  }

  /** A call's refusal code (none: answered) as an outcome; what gRPC calls use. */
  static ofCode(code: PushApiErrorCode | undefined): CallOutcome {
    if (code === undefined) return 'ok';
    return RequestTiming.ofStatus(PushApiErrors[code].status);
  }

  observe(transport: Transport, operation: PushAction, outcome: CallOutcome, ms: number): void {
    const byOperation = this.bound[transport];
    let row = byOperation.get(operation);
    if (row === undefined) {
      row = OUTCOMES.map((o) => this.of({ transport, operation, outcome: o }));
      byOperation.set(operation, row);
    }
    (row[OUTCOMES.indexOf(outcome)] as Histogram).observe(ms / 1000);
  }
}
