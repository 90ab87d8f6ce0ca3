/**
 * Counters and gauges cheap enough for the delivery hot path: a counter is a plain object whose
 * `value` is incremented in place; nothing is allocated or looked up per increment. Rendering to
 * Prometheus text or JSON happens only when someone scrapes.
 */
export interface Counter {
  readonly name: string;
  readonly help: string;
  value: number;
}

interface Gauge {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  read(): number;
}

export class MetricsRegistry {
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();

  /** Returns the counter with this name, creating it on first use. */
  counter(name: string, help: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = { name, help, value: 0 };
      this.counters.set(name, c);
    }
    return c;
  }

  /** Registers a gauge read on demand (replacing one of the same name). */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { name, help, type: 'gauge', read });
  }

  /** A counter kept elsewhere (e.g. by a library's own stats), read on demand. */
  counterFrom(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { name, help, type: 'counter', read });
  }

  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.counters.values()) out[c.name] = c.value;
    for (const g of this.gauges.values()) out[g.name] = g.read();
    return out;
  }

  /** Prometheus text exposition format 0.0.4. */
  renderPrometheus(): string {
    const lines: string[] = [];
    for (const c of this.counters.values()) {
      lines.push(`# HELP ${c.name} ${c.help}`, `# TYPE ${c.name} counter`, `${c.name} ${c.value}`);
    }
    for (const g of this.gauges.values()) {
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} ${g.type}`, `${g.name} ${g.read()}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
