import type { LiveStats } from '@beacon/admin';
import type { StatsHistory, StatsSnapshot } from '@beacon/admin-api';
import { aggregate } from './aggregator.js';
import { StatsRing } from './ring.js';
import type { NodeSampler } from './sampler.js';
import { systemStatsClock, type StatsClock } from './timers.js';

/** The sample interval of every LiveStats: one snapshot a second. */
export const SAMPLE_INTERVAL_MS = 1_000;

/**
 * The single process's LiveStats: ONE sampler and one ring for the whole process, however many
 * dashboards are open. The ring fills every second whether anyone watches or not (so a page opened
 * now shows the last 15 minutes at once); the sampler is detailed (top lists, per-app rows, event-loop
 * delay) only while at least one listener is subscribed.
 */
export class LocalLiveStats implements LiveStats {
  private readonly ring = new StatsRing(SAMPLE_INTERVAL_MS);
  private readonly listeners = new Set<(s: StatsSnapshot) => void>();
  private stopTimer: (() => void) | undefined;
  private last: StatsSnapshot | undefined;

  constructor(
    private readonly sampler: NodeSampler,
    private readonly clock: StatsClock = systemStatsClock,
  ) {}

  start(): void {
    if (this.stopTimer !== undefined) return;
    this.sampler.sample(this.clock.now()); // the baseline the first rates are measured from
    this.stopTimer = this.clock.every(SAMPLE_INTERVAL_MS, () => this.tick());
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
    this.sampler.detailed = false;
  }

  /** One sample: into the ring, and to every listener. */
  tick(): void {
    const now = this.clock.now();
    const node = this.sampler.sample(now);
    const snapshot = aggregate([node], { ts: now });
    this.last = snapshot;
    this.ring.push(snapshot);
    for (const l of this.listeners) {
      try {
        l(snapshot);
      } catch {
        // One viewer's failure does not stop the others.
      }
    }
  }

  history(): StatsHistory {
    return this.ring.history();
  }

  /** The latest snapshot, if any was taken. */
  latest(): StatsSnapshot | undefined {
    return this.last;
  }

  subscribe(listener: (snapshot: StatsSnapshot) => void): () => void {
    const wrapped = (s: StatsSnapshot): void => listener(s);
    this.listeners.add(wrapped);
    this.sampler.detailed = true;
    return () => {
      this.listeners.delete(wrapped);
      if (this.listeners.size === 0) this.sampler.detailed = false;
    };
  }
}
