import type { cluster } from '@beacon/contracts';
import type { AdmissionTable } from './admission-table.js';
import type { Clock } from './clock.js';
import type { CommandTracker } from './command-tracker.js';
import type { Gateway, GatewayRegistry } from './gateway-registry.js';
import type { InterestIndex } from './interest-index.js';
import type { TopicServiceLimits } from './limits.js';
import type { ResolvedTopicServiceOptions } from './options.js';
import type { topicServiceCounters } from './topic-service.metrics.js';

/** What the router logs through; Nest's Logger fits. */
export interface TopicServiceLogger {
  log(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export const silentLogger: TopicServiceLogger = { log() {}, warn() {}, debug() {} };

/**
 * The state the topic-service's parts share (attach sessions, push routing, queries, presence,
 * history): built once by TopicRouter and handed to each, so none of them owns another.
 */
export interface RouterState {
  readonly options: ResolvedTopicServiceOptions;
  readonly limits: TopicServiceLimits;
  readonly clock: Clock;
  readonly logger: TopicServiceLogger;
  readonly counters: ReturnType<typeof topicServiceCounters>;
  readonly registry: GatewayRegistry;
  readonly index: InterestIndex<Gateway>;
  readonly admissions: AdmissionTable<Gateway>;
  readonly commands: CommandTracker<Gateway>;
  /** Writes to one gateway within its bounds; a gateway that stopped reading is dropped (false). */
  readonly write: (g: Gateway, m: cluster.RouterMessage) => boolean;
}
