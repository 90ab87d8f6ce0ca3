import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.js';

describe('MetricsRegistry', () => {
  it('returns the same counter for the same name and renders counters and gauges', () => {
    const m = new MetricsRegistry();
    const a = m.counter('beacon_x_total', 'x');
    a.value += 2;
    m.counter('beacon_x_total', 'x').value++;
    let g = 7;
    m.gauge('beacon_g', 'g', () => g);
    g = 9;
    expect(m.snapshot()).toEqual({ beacon_x_total: 3, beacon_g: 9 });
    const text = m.renderPrometheus();
    expect(text).toContain('# TYPE beacon_x_total counter\nbeacon_x_total 3');
    expect(text).toContain('# TYPE beacon_g gauge\nbeacon_g 9');
  });
});
