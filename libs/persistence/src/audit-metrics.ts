import type { MetricsRegistry } from '@beacon/metrics';
import type { AuditLog } from './audit-log.js';

/** The audit pipeline's counters, so a lost or dropped record is visible in /metrics. */
export function registerAuditMetrics(metrics: MetricsRegistry, audit: AuditLog): void {
  metrics.counterFrom('beacon_audit_written_total', 'Audit records written', () => audit.stats().written);
  metrics.counterFrom(
    'beacon_audit_dropped_total',
    'Audit records dropped: queue full',
    () => audit.stats().dropped,
  );
  metrics.counterFrom(
    'beacon_audit_failed_total',
    'Audit records lost to write failures',
    () => audit.stats().failed,
  );
  metrics.gauge('beacon_audit_queued', 'Audit records waiting to be written', () => audit.stats().queued);
}
