/**
 * Preloaded into a server process by `npm run bench -- --loop-delay` (node --import): an event-loop delay
 * histogram (perf_hooks.monitorEventLoopDelay, 1 ms resolution). On SIGUSR2 it writes the histogram since
 * the previous SIGUSR2 to `$BENCH_LOOP_DELAY_DIR/<pid>.json` (ms) and starts a new one, so the bench can
 * bracket a measured window. Bench tooling only; nothing in Beacon depends on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const dir = process.env.BENCH_LOOP_DELAY_DIR;
if (dir) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let seq = 0;
  process.on('SIGUSR2', () => {
    const ms = (/** @type {number} */ ns) => Math.round(ns / 1e4) / 100;
    const out = {
      seq: ++seq,
      count: h.count,
      p50Ms: ms(h.percentile(50)),
      p90Ms: ms(h.percentile(90)),
      p99Ms: ms(h.percentile(99)),
      p999Ms: ms(h.percentile(99.9)),
      maxMs: ms(h.max),
      over5Ms: 0,
      over10Ms: 0,
    };
    for (const [p, v] of h.percentiles) {
      if (v > 6e6 && out.over5Ms === 0) out.over5Ms = Math.round((100 - p) * 100) / 100;
      if (v > 11e6 && out.over10Ms === 0) out.over10Ms = Math.round((100 - p) * 100) / 100;
    }
    h.reset();
    const file = path.join(dir, `${process.pid}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(out));
    fs.renameSync(`${file}.tmp`, file);
  });
}
