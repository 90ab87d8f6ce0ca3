import {
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/**
 * Metrics on prom-client (the maintained Prometheus library), shaped for the delivery hot path.
 *
 * A hot counter is a plain object whose `value` is incremented in place: nothing is validated, hashed or
 * looked up per increment (prom-client's `Counter.inc()` does all three, and the delivery loop counts per
 * message and per recipient). Each one is registered with prom-client as a collect-on-scrape counter, so
 * `/metrics` renders it, beside prom-client's own histograms and (with `processMetrics`) its default
 * process metrics: CPU, memory, heap spaces, event-loop delay, GC durations, handles. `snapshot()` reads
 * the same objects for the dashboard's samplers, so both show one set of numbers.
 */
export interface Counter {
  readonly name: string;
  readonly help: string;
  value: number;
}

/** A histogram made by the registry: observe in seconds. Pre-bound children for labelled ones. */
export interface Histogram {
  observe(seconds: number): void;
}

interface Read {
  readonly name: string;
  read(): number;
}

export interface MetricsOptions {
  /**
   * prom-client's default process metrics (`process_*`, `nodejs_*`): on in the servers' registries, off by
   * default so that a registry made for a test starts no event-loop monitor or GC observer.
   */
  processMetrics?: boolean;
}

/** Buckets for latencies from a tenth of a millisecond to ten seconds. */
export const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

export class MetricsRegistry {
  /** The prom-client registry `/metrics` renders. */
  readonly prom = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Read>();
  private readonly histograms = new Map<string, PromHistogram<string>>();

  constructor(opts: MetricsOptions = {}) {
    if (opts.processMetrics === true) collectDefaultMetrics({ register: this.prom });
  }

  /** Returns the counter with this name, creating it on first use. */
  counter(name: string, help: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) {
      const hot: Counter = { name, help, value: 0 };
      c = hot;
      this.counters.set(name, hot);
      this.collected('counter', name, help, () => hot.value);
    }
    return c;
  }

  /** Registers a gauge read on demand (replacing one of the same name). */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { name, read });
    this.collected('gauge', name, help, read);
  }

  /** A counter kept elsewhere (e.g. by a library's own stats), read on demand. */
  counterFrom(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { name, read });
    this.collected('counter', name, help, read);
  }

  /**
   * A prom-client histogram; with labels, one pre-bound child per label combination, made on first use, so
   * an observation costs a map lookup and a bucket search (keep label values to a small fixed set).
   */
  histogram(name: string, help: string, buckets: number[] = LATENCY_BUCKETS): Histogram {
    return this.promHistogram(name, help, [], buckets);
  }

  labelledHistogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[] = LATENCY_BUCKETS,
  ): (labels: Record<L, string>) => Histogram {
    const h = this.promHistogram(name, help, labelNames, buckets);
    const children = new Map<string, Histogram>();
    return (labels) => {
      let key = '';
      for (const l of labelNames) key += `${labels[l]}\u0000`;
      let child = children.get(key);
      if (child === undefined) {
        child = h.labels(labels);
        children.set(key, child);
      }
      return child;
    };
  }

  /** The hot counters and read-on-demand gauges by name (what the dashboard's samplers read). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.counters.values()) out[c.name] = c.value;
    for (const g of this.gauges.values()) out[g.name] = g.read();
    return out;
  }

  /** Prometheus text exposition format 0.0.4. */
  renderPrometheus(): Promise<string> {
    return this.prom.metrics();
  }

  /** The content type of `renderPrometheus()`. */
  get contentType(): string {
    return this.prom.contentType;
  }

  /** The same histogram for the same name (two hubs on one registry share it). */
  private promHistogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): PromHistogram<L> {
    let h = this.histograms.get(name);
    if (h === undefined) {
      h = new PromHistogram<string>({ name, help, buckets, labelNames, registers: [this.prom] });
      this.histograms.set(name, h);
    }
    return h as PromHistogram<L>;
  }

  private collected(type: 'counter' | 'gauge', name: string, help: string, read: () => number): void {
    this.prom.removeSingleMetric(name);
    if (type === 'counter') {
      new PromCounter({
        name,
        help,
        registers: [this.prom],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    } else {
      new PromGauge({
        name,
        help,
        registers: [this.prom],
        collect() {
          this.set(read());
        },
      });
    }
  }
}
