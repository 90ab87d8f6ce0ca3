#!/usr/bin/env node
/**
 * Beacon benchmark: fan-out throughput and publish-to-delivery latency, against a ws-only reference
 * server, against Beacon as one process and against Beacon as a cluster (topic-service, two gateways,
 * push API), in one run. See docs/benchmarks.md.
 *
 *   npm run bench -- [--target all|both|reference|beacon|cluster] [--duration 10] [--json] ...
 *
 * Each server runs as child processes; the subscribers and the publisher run here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fanout, latency } from './lib/scenarios.js';
import {
  BEACON_CLI,
  BEACON_MAIN,
  CLUSTER_MAINS,
  installCleanup,
  setServerNodeArgs,
  killAll,
  startBeacon,
  startCluster,
  startReference,
  waitForQuietMachine,
} from './lib/servers.js';

const HELP = `Usage: npm run bench -- [options]

  --target <t>               reference | beacon | cluster | both (reference + beacon)
                             | all (default: all three)
  --scenario <s>             fanout | latency | all (default all)
  --duration <s>             measured seconds per scenario (default 10)
  --warmup <s>               unmeasured seconds before each measurement (default 1)
  --subscribers <n>          fan-out subscribers (default 2000)
  --window <w>               fan-out: messages not yet delivered to all, at most (default 8)
  --latency-subscribers <m>  latency subscribers (default 100)
  --rate <r>                 latency: messages per second (default 200)
  --latency-duration <s>     latency measured seconds (default: --duration)
  --payload <bytes>          padding added to each message's data (default 64)
  --drain <s>                longest wait for outstanding deliveries after publishing (default 5)
  --stall <s>                fan-out: stop if no message completes for this long (default 5)
  --busy-poll                fan-out: keep the bench's event loop spinning so it never sleeps in epoll_wait
  --connect-batch <k>        clients connecting at once (default 100)
  --rounds <r>               repeat the whole set, alternating targets (default 1)
  --wait-idle <s>            before each scenario, wait up to s seconds for a quiet machine (default 30; 0 = off)
  --server-node-args=<args>  extra node flags for the server processes, e.g. --server-node-args="--cpu-prof"
  --beacon-main <path>       Beacon entry point (default apps/beacon/dist/main.js)
  --out <file>               also write the JSON results to <file>
  --json                     print machine-readable results only (progress goes to stderr)
  -h, --help
`;

/** @param {string[]} argv */
function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string', default: 'all' },
      scenario: { type: 'string', default: 'all' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '1' },
      subscribers: { type: 'string', default: '2000' },
      window: { type: 'string', default: '8' },
      'latency-subscribers': { type: 'string', default: '100' },
      rate: { type: 'string', default: '200' },
      'latency-duration': { type: 'string' },
      payload: { type: 'string', default: '64' },
      drain: { type: 'string', default: '5' },
      stall: { type: 'string', default: '5' },
      'connect-batch': { type: 'string', default: '100' },
      rounds: { type: 'string', default: '1' },
      'wait-idle': { type: 'string', default: '30' },
      'server-node-args': { type: 'string', default: '' },
      'beacon-main': { type: 'string', default: BEACON_MAIN },
      json: { type: 'boolean', default: false },
      'busy-poll': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  /**
   * @param {string} name
   * @param {number} min
   * @param {number} max
   * @param {boolean} [int]
   */
  const num = (name, min, max, int = true) => {
    const raw = /** @type {Record<string, unknown>} */ (values)[name];
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) {
      throw new Error(`--${name} must be ${int ? 'an integer' : 'a number'} in [${min}, ${max}], got ${raw}`);
    }
    return v;
  };
  if (!['reference', 'beacon', 'cluster', 'both', 'all'].includes(values.target))
    throw new Error(`bad --target ${values.target}`);
  if (!['fanout', 'latency', 'all'].includes(values.scenario))
    throw new Error(`bad --scenario ${values.scenario}`);
  const duration = num('duration', 0.5, 600, false);
  if (values['latency-duration'] === undefined) values['latency-duration'] = String(duration);
  return {
    help: values.help,
    json: values.json,
    busyPoll: values['busy-poll'],
    out: values.out,
    target: values.target,
    scenario: values.scenario,
    beaconMain: values['beacon-main'],
    duration,
    warmup: num('warmup', 0, 60, false),
    subscribers: num('subscribers', 1, 20000),
    window: num('window', 1, 4096),
    latencySubscribers: num('latency-subscribers', 1, 20000),
    rate: num('rate', 1, 10000, false),
    latencyDuration: num('latency-duration', 0.5, 600, false),
    payload: num('payload', 0, 1000000),
    drain: num('drain', 0, 120, false),
    stall: num('stall', 0.5, 120, false),
    batch: num('connect-batch', 1, 2000),
    rounds: num('rounds', 1, 20),
    waitIdle: num('wait-idle', 0, 600, false),
    serverNodeArgs: values['server-node-args'].split(/\s+/).filter(Boolean),
  };
}

/** @param {string} s */
const log = (s) => process.stderr.write(`[bench] ${s}\n`);

function machine() {
  const cpus = os.cpus();
  let nofile = 'unknown';
  try {
    nofile = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    // no shell
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ulimitNofile: nofile,
  };
}

/**
 * @param {string[]} headers
 * @param {(string | number)[][]} rows
 */
function table(headers, rows) {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (/** @type {string[]} */ r) =>
    r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

const fmt = (/** @type {number} */ x, d = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
    : 'n/a';
const pctCpu = (/** @type {number} */ x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a');

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * @param {any[]} results
 * @param {string} scenario
 * @param {string} target
 * @param {string} field
 */
function medianOf(results, scenario, target, field) {
  const xs = results.filter((r) => r.scenario === scenario && r.target === target).map((r) => r[field]);
  return xs.length ? median(xs) : NaN;
}

/**
 * Highest value of `field` over the rounds.
 * @param {any[]} results
 * @param {string} scenario
 * @param {string} target
 * @param {string} field
 */
function bestOf(results, scenario, target, field) {
  const xs = results.filter((r) => r.scenario === scenario && r.target === target).map((r) => r[field]);
  return xs.length ? Math.max(...xs) : NaN;
}

/** @param {any[]} results */
function ratios(results) {
  /** @type {Record<string, number>} */
  const out = {};
  const has = (/** @type {string} */ s) =>
    results.some((r) => r.scenario === s && r.target === 'beacon') &&
    results.some((r) => r.scenario === s && r.target === 'reference');
  if (has('fanout')) {
    out.fanoutDeliveriesPerSec =
      medianOf(results, 'fanout', 'beacon', 'deliveriesPerSec') /
      medianOf(results, 'fanout', 'reference', 'deliveriesPerSec');
    // Noise on a shared machine only ever slows a run down: the best round is the other estimate.
    out.fanoutDeliveriesPerSecBest =
      bestOf(results, 'fanout', 'beacon', 'deliveriesPerSec') /
      bestOf(results, 'fanout', 'reference', 'deliveriesPerSec');
    // Server CPU per delivery, reference over Beacon: 1 = Beacon spends as much CPU per delivery.
    out.fanoutCpuEfficiency =
      medianOf(results, 'fanout', 'reference', 'serverCpuUsPerDelivery') /
      medianOf(results, 'fanout', 'beacon', 'serverCpuUsPerDelivery');
  }
  if (has('latency')) {
    for (const f of ['p50Ms', 'p99Ms', 'maxMs']) {
      out[`latency_${f}`] =
        medianOf(results, 'latency', 'beacon', f) / medianOf(results, 'latency', 'reference', f);
    }
  }
  // The cluster against the single process (and the reference), medians over rounds.
  const present = (/** @type {string} */ s, /** @type {string} */ t) =>
    results.some((r) => r.scenario === s && r.target === t);
  if (present('fanout', 'cluster') && present('fanout', 'beacon')) {
    out.clusterVsBeacon_fanoutDeliveriesPerSec =
      medianOf(results, 'fanout', 'cluster', 'deliveriesPerSec') /
      medianOf(results, 'fanout', 'beacon', 'deliveriesPerSec');
    out.clusterVsBeacon_fanoutDeliveriesPerSecBest =
      bestOf(results, 'fanout', 'cluster', 'deliveriesPerSec') /
      bestOf(results, 'fanout', 'beacon', 'deliveriesPerSec');
    // Server CPU per delivery, cluster (all processes) over Beacon: 1 = the split costs nothing extra.
    out.clusterVsBeacon_fanoutCpuUsPerDelivery =
      medianOf(results, 'fanout', 'cluster', 'serverCpuUsPerDelivery') /
      medianOf(results, 'fanout', 'beacon', 'serverCpuUsPerDelivery');
  }
  if (present('fanout', 'cluster') && present('fanout', 'reference')) {
    out.clusterVsReference_fanoutDeliveriesPerSec =
      medianOf(results, 'fanout', 'cluster', 'deliveriesPerSec') /
      medianOf(results, 'fanout', 'reference', 'deliveriesPerSec');
  }
  for (const [key, t] of /** @type {const} */ ([
    ['clusterVsBeacon', 'cluster'],
    ['clusterPushVsBeacon', 'cluster-push'],
  ])) {
    if (!present('latency', t) || !present('latency', 'beacon')) continue;
    for (const f of ['p50Ms', 'p99Ms', 'maxMs']) {
      out[`${key}_latency_${f}`] =
        medianOf(results, 'latency', t, f) / medianOf(results, 'latency', 'beacon', f);
    }
  }
  for (const k of Object.keys(out)) out[k] = Math.round(out[k] * 1000) / 1000;
  return out;
}

/**
 * @param {any} report
 */
function printReport(report) {
  const out = [];
  const m = report.machine;
  out.push(`Beacon bench — ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, node ${m.node}`);
  out.push(`command: ${report.command}`);
  out.push('');
  const fan = report.results.filter((/** @type {any} */ r) => r.scenario === 'fanout');
  if (fan.length) {
    out.push(`Fan-out (window ${report.options.window}, payload pad ${report.options.payload} B)`);
    out.push(
      table(
        [
          'target',
          'round',
          'subs',
          'deliveries/s',
          'msgs/s',
          'published',
          'loss',
          'drain ms',
          'srv CPU',
          'srv µs/dlv',
          'bench CPU',
          'other CPU',
          'notes',
        ],
        fan.map((/** @type {any} */ r) => [
          r.target,
          r.round,
          r.subscribers,
          fmt(r.deliveriesPerSec),
          fmt(r.messagesPerSec, 1),
          r.published,
          r.loss,
          r.drainMs,
          pctCpu(r.serverCpu),
          fmt(r.serverCpuUsPerDelivery, 2),
          pctCpu(r.benchCpu),
          pctCpu(r.otherCpu),
          notes(r),
        ]),
      ),
    );
    for (const r of fan) {
      if (!r.serverCpuByProcess) continue;
      const parts = Object.entries(r.serverCpuByProcess).map(([k, v]) => `${k} ${pctCpu(Number(v))}`);
      out.push(
        `${r.target} round ${r.round}: srv CPU by process ${parts.join(', ')}; subscribers per gateway ${r.subscribersPerGateway?.join('/') ?? '?'}`,
      );
    }
    out.push('');
  }
  const lat = report.results.filter((/** @type {any} */ r) => r.scenario === 'latency');
  if (lat.length) {
    out.push(`Latency (publish -> delivery, ms; ${report.options.rate} msg/s)`);
    out.push(
      table(
        [
          'target',
          'round',
          'subs',
          'msg/s',
          'samples',
          'loss',
          'p50',
          'p90',
          'p99',
          'max',
          'srv CPU',
          'bench CPU',
          'other CPU',
          'notes',
        ],
        lat.map((/** @type {any} */ r) => [
          r.target,
          r.round,
          r.subscribers,
          fmt(r.achievedRate, 1),
          r.samples,
          r.loss,
          fmt(r.p50Ms, 2),
          fmt(r.p90Ms, 2),
          fmt(r.p99Ms, 2),
          fmt(r.maxMs, 2),
          pctCpu(r.serverCpu),
          pctCpu(r.benchCpu),
          pctCpu(r.otherCpu),
          notes(r),
        ]),
      ),
    );
    const paths = new Map(lat.map((/** @type {any} */ r) => [r.target, r.path]));
    if (paths.has('cluster') || paths.has('cluster-push')) {
      for (const [t, p] of paths) out.push(`  ${t}: ${p}`);
    }
    for (const r of lat) {
      if (!r.serverCpuByProcess) continue;
      const parts = Object.entries(r.serverCpuByProcess).map(([k, v]) => `${k} ${pctCpu(Number(v))}`);
      out.push(`${r.target} round ${r.round}: srv CPU by process ${parts.join(', ')}`);
    }
    out.push('');
  }
  if (report.options.rounds > 1) {
    out.push(`Medians over ${report.options.rounds} rounds`);
    /** @type {(string | number)[][]} */
    const rows = [];
    for (const t of [...new Set(report.results.map((/** @type {any} */ r) => r.target))]) {
      rows.push([
        t,
        fmt(medianOf(report.results, 'fanout', t, 'deliveriesPerSec')),
        fmt(medianOf(report.results, 'fanout', t, 'messagesPerSec'), 1),
        fmt(medianOf(report.results, 'latency', t, 'p50Ms'), 2),
        fmt(medianOf(report.results, 'latency', t, 'p99Ms'), 2),
        fmt(medianOf(report.results, 'latency', t, 'maxMs'), 2),
      ]);
    }
    out.push(table(['target', 'fan-out deliveries/s', 'msgs/s', 'p50 ms', 'p99 ms', 'max ms'], rows));
    out.push('');
  }
  const rt = report.ratios;
  if (rt.fanoutDeliveriesPerSec !== undefined) {
    const ok = rt.fanoutDeliveriesPerSec >= 0.85 ? 'meets' : 'BELOW';
    const rounds = report.options.rounds > 1 ? `median of ${report.options.rounds} rounds` : 'one round';
    out.push(
      `Beacon / reference fan-out deliveries/s: ${rt.fanoutDeliveriesPerSec.toFixed(3)} (${rounds}; ${ok} target 0.85)`,
    );
    if (report.options.rounds > 1) {
      out.push(
        `Beacon / reference fan-out deliveries/s, best round each: ${rt.fanoutDeliveriesPerSecBest.toFixed(3)}`,
      );
    }
    out.push(
      `Server CPU per delivery, reference / Beacon: ${rt.fanoutCpuEfficiency.toFixed(3)} (1 = Beacon as cheap as the reference)`,
    );
  }
  if (rt.latency_p50Ms !== undefined) {
    out.push(
      `Beacon / reference latency: p50 ×${rt.latency_p50Ms.toFixed(2)}, p99 ×${rt.latency_p99Ms.toFixed(2)}, max ×${rt.latency_maxMs.toFixed(2)} (lower is better)`,
    );
  }
  if (rt.clusterVsBeacon_fanoutDeliveriesPerSec !== undefined) {
    out.push(
      `Cluster (2 gateways + topic-service + push API) / Beacon fan-out deliveries/s: ${rt.clusterVsBeacon_fanoutDeliveriesPerSec.toFixed(3)}` +
        (report.options.rounds > 1
          ? ` (median; best round each ${rt.clusterVsBeacon_fanoutDeliveriesPerSecBest.toFixed(3)})`
          : ''),
    );
    out.push(
      `Server CPU per delivery, cluster (sum of its processes) / Beacon: ${rt.clusterVsBeacon_fanoutCpuUsPerDelivery.toFixed(3)} (1 = the split costs nothing extra per delivery)`,
    );
  }
  if (rt.clusterVsReference_fanoutDeliveriesPerSec !== undefined) {
    out.push(
      `Cluster / reference fan-out deliveries/s: ${rt.clusterVsReference_fanoutDeliveriesPerSec.toFixed(3)}`,
    );
  }
  if (rt.clusterVsBeacon_latency_p50Ms !== undefined) {
    out.push(
      `Cluster cross-gateway (WS publish) / Beacon (HTTP publish) latency: p50 ×${rt.clusterVsBeacon_latency_p50Ms.toFixed(2)}, p99 ×${rt.clusterVsBeacon_latency_p99Ms.toFixed(2)}, max ×${rt.clusterVsBeacon_latency_maxMs.toFixed(2)}`,
    );
  }
  if (rt.clusterPushVsBeacon_latency_p50Ms !== undefined) {
    out.push(
      `Cluster push API / Beacon latency (both HTTP publish): p50 ×${rt.clusterPushVsBeacon_latency_p50Ms.toFixed(2)}, p99 ×${rt.clusterPushVsBeacon_latency_p99Ms.toFixed(2)}, max ×${rt.clusterPushVsBeacon_latency_maxMs.toFixed(2)}`,
    );
  }
  for (const w of report.warnings) out.push(`warning: ${w}`);
  process.stdout.write(out.join('\n') + '\n');
}

/** @param {any} r */
function notes(r) {
  const n = [];
  if (r.stalled) n.push('STALLED');
  if (r.drained === false) n.push('not drained');
  if (r.publishFailures)
    n.push(`${r.publishFailures} publish failures ${JSON.stringify(r.publishFailureReasons)}`);
  const closes = Object.entries(r.closesDuringRun ?? {});
  if (closes.length) n.push(`closes ${closes.map(([k, v]) => `${k}×${v}`).join(',')}`);
  if (r.errorFrames) n.push(`${r.errorFrames} error frames`);
  if (r.parseErrors) n.push(`${r.parseErrors} parse errors`);
  return n.join('; ') || '-';
}

async function main() {
  let opts;
  try {
    opts = options(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${/** @type {Error} */ (err).message}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return;
  }
  installCleanup();
  setServerNodeArgs(opts.serverNodeArgs);
  /** @type {string[]} */
  const warnings = [];
  const mach = machine();
  const needFds = opts.subscribers + 200;
  if (Number(mach.ulimitNofile) < needFds) {
    warnings.push(`ulimit -n is ${mach.ulimitNofile}; ${opts.subscribers} subscribers need about ${needFds}`);
  }
  if (mach.cpus < 2) warnings.push('fewer than 2 CPUs: the server and the load generator share one core');

  /** @type {string[]} */
  let targets =
    opts.target === 'all'
      ? ['reference', 'beacon', 'cluster']
      : opts.target === 'both'
        ? ['reference', 'beacon']
        : [opts.target];
  if (targets.includes('beacon') && !fs.existsSync(opts.beaconMain)) {
    const msg = `Beacon not built: ${opts.beaconMain} is missing (run \`npm run build\`); skipping beacon`;
    log(msg);
    warnings.push(msg);
    targets = targets.filter((t) => t !== 'beacon');
  }
  const clusterMissing = [BEACON_CLI, ...Object.values(CLUSTER_MAINS)].filter((f) => !fs.existsSync(f));
  if (targets.includes('cluster') && clusterMissing.length > 0) {
    const msg = `cluster not built: ${clusterMissing.map((f) => path.relative(process.cwd(), f)).join(', ')} missing (run \`npm run build\`); skipping cluster`;
    log(msg);
    warnings.push(msg);
    targets = targets.filter((t) => t !== 'cluster');
  }
  if (targets.length === 0) {
    process.stderr.write('nothing to run\n');
    process.exitCode = 1;
    return;
  }

  /** @param {string} label */
  const quiet = async (label) => {
    if (opts.waitIdle <= 0) return;
    const q = await waitForQuietMachine(opts.waitIdle);
    if (!q.quiet) {
      const msg = `${label}: machine still busy after ${opts.waitIdle} s (${q.lastBusy.toFixed(2)} cores in use by others); measuring anyway`;
      log(msg);
      warnings.push(msg);
    } else if (q.waitedSeconds > 1.5) {
      log(`${label}: waited ${q.waitedSeconds.toFixed(0)} s for a quiet machine`);
    }
  };

  /** @type {any[]} */
  const results = [];
  for (let round = 1; round <= opts.rounds; round++) {
    // Alternate the order between rounds so neither target always runs first.
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of order) {
      log(`round ${round}: starting ${target}`);
      let server;
      try {
        server =
          target === 'reference'
            ? await startReference()
            : target === 'cluster'
              ? await startCluster()
              : await startBeacon(opts.beaconMain);
      } catch (err) {
        const msg = `${target} failed to start: ${/** @type {Error} */ (err).message}`;
        log(msg);
        warnings.push(msg.split('\n')[0]);
        continue;
      }
      if (server.processes) {
        log(
          `${target}: push API on port ${server.port}, gateways on ${server.wsPorts?.join(', ')} (${server.processes.map((p) => `${p.role} pid ${p.pid}`).join(', ')})`,
        );
      } else log(`${target} listening on port ${server.port} (pid ${server.pid})`);
      try {
        if (opts.scenario !== 'latency') {
          await quiet(`${target} fan-out`);
          const r = await fanout(server, {
            subscribers: opts.subscribers,
            window: opts.window,
            duration: opts.duration,
            warmup: opts.warmup,
            drain: opts.drain,
            payload: opts.payload,
            batch: opts.batch,
            stall: opts.stall,
            busyPoll: opts.busyPoll,
            log,
          });
          results.push({ round, ...r });
          log(
            `${target} fan-out: ${fmt(r.deliveriesPerSec)} deliveries/s, ${fmt(r.messagesPerSec, 1)} msg/s, loss ${r.loss}, server CPU ${pctCpu(r.serverCpu)}, bench CPU ${pctCpu(r.benchCpu)}`,
          );
        }
        if (opts.scenario !== 'fanout') {
          const base = {
            subscribers: opts.latencySubscribers,
            rate: opts.rate,
            duration: opts.latencyDuration,
            warmup: opts.warmup,
            drain: opts.drain,
            payload: opts.payload,
            batch: opts.batch,
            log,
          };
          /** @type {Parameters<typeof latency>[1][]} */
          const runs = [base];
          const gw = server.wsPorts;
          if (target === 'cluster' && gw && gw.length >= 2) {
            // Cross-gateway: a WebSocket client of gateway 1 publishes, every subscriber is on gateway 2,
            // so each message goes gateway 1 -> topic-service -> gateway 2. Then the push API path,
            // push API -> topic-service -> gateway 2, with the same subscribers' placement.
            runs.splice(
              0,
              1,
              {
                ...base,
                via: 'ws',
                publisherPort: gw[0],
                subscriberPorts: [gw[1]],
                label: 'cluster',
                path: 'WS publish on gateway1 -> topic-service -> subscribers on gateway2',
              },
              {
                ...base,
                subscriberPorts: [gw[1]],
                label: 'cluster-push',
                path: 'POST push-api /v1/publish -> topic-service -> subscribers on gateway2',
              },
            );
          }
          for (const run of runs) {
            const label = run.label ?? target;
            await quiet(`${label} latency`);
            const r = await latency(server, run);
            results.push({ round, ...r });
            log(
              `${label} latency: p50 ${fmt(r.p50Ms, 2)} ms, p99 ${fmt(r.p99Ms, 2)} ms, max ${fmt(r.maxMs, 2)} ms`,
            );
          }
        }
      } catch (err) {
        const msg = `${target} run failed: ${/** @type {Error} */ (err).message}`;
        log(msg);
        if (/** @type {Error} */ (err).stack) log(String(/** @type {Error} */ (err).stack));
        log(`--- ${target} output (last lines) ---\n${server.output()}`);
        warnings.push(msg);
      } finally {
        await server.stop();
      }
    }
  }

  for (const r of results) {
    if (r.otherCpu > 0.15) {
      warnings.push(
        `${r.target} ${r.scenario} round ${r.round}: other processes used ${pctCpu(r.otherCpu)} of a core (busiest long-lived: ${r.busiestOtherProcesses.join(', ') || 'none'}) — figures are depressed; rerun on a quiet machine`,
      );
    }
    if (r.scenario === 'fanout' && r.benchCpu > 0.9) {
      warnings.push(
        `${r.target} fan-out round ${r.round}: the bench process used ${pctCpu(r.benchCpu)} of a core — the load generator may be the bottleneck`,
      );
    }
  }
  const report = {
    command: `npm run bench --${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}`,
    date: new Date().toISOString(),
    machine: mach,
    options: opts,
    results,
    ratios: ratios(results),
    warnings,
  };
  if (opts.out) fs.writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else printReport(report);
  if (results.length === 0) process.exitCode = 1;
}

main()
  .catch((err) => {
    process.stderr.write(`[bench] fatal: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    // Sockets or timers left by a failed run must not keep the process alive.
    setTimeout(() => process.exit(), 500).unref();
  });
