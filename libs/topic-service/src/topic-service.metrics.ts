import type { Counter, MetricsRegistry } from '@beacon/metrics';

const P = 'beacon_topic_service_';

/** History and presence held by the topic-service (the single process exports the same names). */
export function historyGauges(
  m: MetricsRegistry,
  history: () => { streams: number; messages: number; bytes: number; evicted: number },
  members: () => number,
): void {
  m.gauge('beacon_history_streams', 'History topics whose position is kept', () => history().streams);
  m.gauge('beacon_history_messages', 'Messages kept in history', () => history().messages);
  m.gauge('beacon_history_bytes', 'Bytes of history kept (payload + overhead)', () => history().bytes);
  m.gauge(
    'beacon_history_evicted',
    'History messages evicted by the byte bound (since start)',
    () => history().evicted,
  );
  m.gauge('beacon_presence_members', 'Members of presence topics', members);
}

/** The topic-service's counters, registered once in a MetricsRegistry and incremented in place. */
export function topicServiceCounters(
  m: MetricsRegistry,
  gatewaysAttached: () => number,
): Record<
  'routed' | 'sent' | 'commandsSent' | 'timedOut' | 'expired' | 'slow' | 'rejected' | 'admissionRefused',
  Counter
> {
  m.gauge(`${P}gateways_attached`, 'Gateways attached now', gatewaysAttached);
  return {
    routed: m.counter(`${P}messages_routed_total`, 'Messages routed (one per topic of a publish)'),
    sent: m.counter(`${P}deliveries_sent_total`, 'Messages and send commands written to gateways'),
    commandsSent: m.counter(`${P}commands_sent_total`, 'Commands written to gateways'),
    timedOut: m.counter(`${P}commands_timed_out_total`, 'Gateways that did not answer a command in time'),
    expired: m.counter(`${P}gateways_expired_total`, 'Gateways removed by the liveness timeout'),
    slow: m.counter(`${P}gateways_slow_total`, 'Gateways dropped for not reading their stream'),
    rejected: m.counter(`${P}gateway_input_rejected_total`, 'Invalid entries or publishes from gateways'),
    admissionRefused: m.counter(
      `${P}admission_refused_total`,
      'Connection slots refused: the app was at its maxConnections across the cluster',
    ),
  };
}
