import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** What a node's row shows of its process: memory, and the event loop's p99 delay while watched. */
export interface ProcessProbe {
  memory(): { rssBytes: number; heapUsedBytes: number };
  /** p99 event-loop delay since the last call, ms; 0 while not enabled. */
  loopP99Ms(): number;
  /** The delay histogram runs only while someone watches (it costs a timer wake-up every 20 ms). */
  enable(on: boolean): void;
}

export class NodeProcessProbe implements ProcessProbe {
  private histogram: IntervalHistogram | undefined;

  memory(): { rssBytes: number; heapUsedBytes: number } {
    const m = process.memoryUsage();
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
  }

  loopP99Ms(): number {
    const h = this.histogram;
    if (h === undefined || h.count === 0) return 0;
    const p99 = h.percentile(99) / 1e6;
    h.reset();
    return Math.round(p99 * 100) / 100;
  }

  enable(on: boolean): void {
    if (on && this.histogram === undefined) {
      this.histogram = monitorEventLoopDelay({ resolution: 20 });
      this.histogram.enable();
    } else if (!on && this.histogram !== undefined) {
      this.histogram.disable();
      this.histogram = undefined;
    }
  }
}
