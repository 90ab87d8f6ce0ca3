import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.js';

describe('MetricsRegistry', () => {
  it('returns the same counter for the same name and renders counters and gauges', async () => {
    const m = new MetricsRegistry();
    const a = m.counter('beacon_x_total', 'x');
    a.value += 2;
    m.counter('beacon_x_total', 'x').value++;
    let g = 7;
    m.gauge('beacon_g', 'g', () => g);
    g = 9;
    expect(m.snapshot()).toEqual({ beacon_x_total: 3, beacon_g: 9 });
    const text = await m.renderPrometheus();
    expect(text).toContain('# HELP beacon_x_total x\n# TYPE beacon_x_total counter\nbeacon_x_total 3\n');
    expect(text).toContain('# TYPE beacon_g gauge\nbeacon_g 9\n');
    a.value += 5;
    expect(await m.renderPrometheus()).toContain('\nbeacon_x_total 8\n');
  });

  it('replaces a gauge registered again under the same name', async () => {
    const m = new MetricsRegistry();
    m.gauge('beacon_g', 'g', () => 1);
    m.gauge('beacon_g', 'g', () => 2);
    m.counterFrom('beacon_c_total', 'c', () => 4);
    expect(m.snapshot()).toEqual({ beacon_g: 2, beacon_c_total: 4 });
    const text = await m.renderPrometheus();
    expect(text.match(/^beacon_g /gm)).toHaveLength(1);
    expect(text).toContain('\nbeacon_g 2\n');
    expect(text).toContain('# TYPE beacon_c_total counter\nbeacon_c_total 4\n');
  });

  it('renders histograms, labelled ones per label set, and shares one per name', async () => {
    const m = new MetricsRegistry();
    const h = m.histogram('beacon_h_seconds', 'h', [0.001, 0.01]);
    h.observe(0.0005);
    h.observe(0.005);
    m.histogram('beacon_h_seconds', 'h', [0.001, 0.01]).observe(1);
    const by = m.labelledHistogram('beacon_l_seconds', 'l', ['transport', 'result'], [0.1]);
    by({ transport: 'rest', result: 'ok' }).observe(0.05);
    by({ transport: 'rest', result: 'ok' }).observe(0.2);
    by({ transport: 'grpc', result: 'refused' }).observe(0.05);
    expect(by({ transport: 'rest', result: 'ok' })).toBe(by({ transport: 'rest', result: 'ok' }));
    const text = await m.renderPrometheus();
    expect(text).toContain('beacon_h_seconds_bucket{le="0.001"} 1\n');
    expect(text).toContain('beacon_h_seconds_bucket{le="0.01"} 2\n');
    expect(text).toContain('beacon_h_seconds_count 3\n');
    expect(text).toContain('beacon_l_seconds_count{transport="rest",result="ok"} 2\n');
    expect(text).toContain('beacon_l_seconds_bucket{le="0.1",transport="grpc",result="refused"} 1\n');
  });

  it('adds the default process metrics only when asked', async () => {
    const bare = await new MetricsRegistry().renderPrometheus();
    expect(bare).not.toContain('nodejs_');
    const m = new MetricsRegistry({ processMetrics: true });
    const text = await m.renderPrometheus();
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
