/** Rendering the results: tables, medians, ratios and notes, for the terminal (JSON is written by run.js). */
import os from 'node:os';
import { execFileSync } from 'node:child_process';

export function machine() {
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

export const fmt = (/** @type {number} */ x, d = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
    : 'n/a';
export const pctCpu = (/** @type {number} */ x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a');

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
  const pick = (/** @type {any} */ r) => (field === 'latencyP99Ms' ? r.latency?.p99Ms : r[field]);
  const xs = results.filter((r) => r.scenario === scenario && r.target === target).map(pick);
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

/** The cluster's latency targets, each with the key of its ratios against Beacon. */
const CLUSTER_LATENCY = /** @type {const} */ ([
  ['clusterVsBeacon', 'cluster'],
  ['clusterPushVsBeacon', 'cluster-push'],
]);

/** @param {any[]} results */
export function ratios(results) {
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
  for (const [key, t] of CLUSTER_LATENCY) {
    if (!present('latency', t) || !present('latency', 'beacon')) continue;
    for (const f of ['p50Ms', 'p99Ms', 'maxMs']) {
      out[`${key}_latency_${f}`] =
        medianOf(results, 'latency', t, f) / medianOf(results, 'latency', 'beacon', f);
    }
    const added = addedP99ByRound(results, t);
    if (added.length) out[`${key}_latency_p99AddedMs`] = median(added);
  }
  // The push API's request path (rest, grpc) against the bare references, for Beacon and the cluster.
  for (const sc of ['rest', 'grpc']) {
    if (!present(sc, 'reference')) continue;
    for (const t of ['beacon', 'cluster']) {
      if (!present(sc, t)) continue;
      out[`${sc}_${t}_requestsPerSec`] =
        medianOf(results, sc, t, 'requestsPerSec') / medianOf(results, sc, 'reference', 'requestsPerSec');
      // reference µs per request over the target's: 1 = as cheap as the bare server.
      out[`${sc}_${t}_cpuEfficiency`] =
        medianOf(results, sc, 'reference', 'serverCpuUsPerRequest') /
        medianOf(results, sc, t, 'serverCpuUsPerRequest');
      out[`${sc}_${t}_p99AtHalfReference`] =
        medianOf(results, sc, t, 'latencyP99Ms') / medianOf(results, sc, 'reference', 'latencyP99Ms');
    }
  }
  // Presence and history against the plain fan-out of the same target and run (`--scenario features`).
  for (const t of ['beacon', 'cluster']) {
    if (!present('fanout', t)) continue;
    for (const [key, sc] of [
      ['history', 'fanout-history'],
      ['churn', 'fanout-churn'],
    ]) {
      if (!present(sc, t)) continue;
      out[`features_${t}_${key}VsPlain`] =
        medianOf(results, sc, t, 'deliveriesPerSec') / medianOf(results, 'fanout', t, 'deliveriesPerSec');
      out[`features_${t}_${key}VsPlain_cpu`] =
        medianOf(results, 'fanout', t, 'serverCpuUsPerDelivery') /
        medianOf(results, sc, t, 'serverCpuUsPerDelivery');
    }
  }
  for (const k of Object.keys(out)) out[k] = Math.round(out[k] * 1000) / 1000;
  return out;
}

/**
 * p99 of `target` minus Beacon's p99 in the same round, for every round that has both: a paired
 * difference, so a round on a busier moment of the machine moves both figures together.
 * @param {any[]} results
 * @param {string} target
 * @returns {number[]}
 */
export function addedP99ByRound(results, target) {
  /** @type {number[]} */
  const out = [];
  for (const r of results) {
    if (r.scenario !== 'latency' || r.target !== target) continue;
    const b = results.find((x) => x.scenario === 'latency' && x.target === 'beacon' && x.round === r.round);
    if (b !== undefined && Number.isFinite(r.p99Ms) && Number.isFinite(b.p99Ms)) out.push(r.p99Ms - b.p99Ms);
  }
  return out;
}

/** @type {Record<string, string>} */
const FANOUT_KIND = { fanout: 'plain', 'fanout-history': 'history', 'fanout-churn': 'churn' };

/**
 * @param {any} report
 */
export function printReport(report) {
  const out = [];
  const m = report.machine;
  out.push(`Beacon bench — ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, node ${m.node}`);
  out.push(`command: ${report.command}`);
  out.push('');
  const fan = report.results.filter((/** @type {any} */ r) => r.scenario.startsWith('fanout'));
  if (fan.length) {
    out.push(`Fan-out (window ${report.options.window}, payload pad ${report.options.payload} B)`);
    out.push(
      table(
        [
          'target',
          'kind',
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
          FANOUT_KIND[r.scenario] ?? r.scenario,
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
      if (r.churn)
        out.push(
          `${r.target} round ${r.round}: beside ${fmt(r.churn.opsPerSec)} presence joins+leaves/s (${r.churn.joins} joins, ${r.churn.leaves} leaves, ${r.churn.members} members at the end, ${r.churn.refused} refused, ${r.churn.unanswered} unanswered)`,
        );
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
          'run queue',
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
          r.serverRunQueue === undefined ? 'n/a' : pctCpu(r.serverRunQueue + r.benchRunQueue),
          notes(r),
        ]),
      ),
    );
    const paths = new Map(lat.map((/** @type {any} */ r) => [r.target, r.path]));
    if (paths.has('cluster') || paths.has('cluster-push')) {
      for (const [t, p] of paths) out.push(`  ${t}: ${p}`);
    }
    for (const r of lat) {
      for (const [role, d] of Object.entries(r.serverLoopDelay ?? {})) {
        const x = /** @type {any} */ (d);
        out.push(
          `${r.target} round ${r.round}: ${role} event-loop delay p50 ${x.p50Ms} / p99 ${x.p99Ms} / p99.9 ${x.p999Ms} / max ${x.maxMs} ms; samples over 5 ms ${x.over5Ms}%, over 10 ms ${x.over10Ms}%`,
        );
      }
    }
    for (const r of lat) {
      if (!r.serverCpuByProcess) continue;
      const waits = r.serverRunQueueByProcess ?? {};
      const parts = Object.entries(r.serverCpuByProcess).map(
        ([k, v]) =>
          `${k} ${pctCpu(Number(v))}${k in waits ? ` (run queue ${pctCpu(Number(waits[k]))})` : ''}`,
      );
      out.push(`${r.target} round ${r.round}: srv CPU by process ${parts.join(', ')}`);
    }
    if (lat.some((/** @type {any} */ r) => r.serverRunQueue !== undefined)) {
      out.push(
        '  run queue: time the main threads of the server processes and the bench waited runnable for a CPU (/proc/<pid>/schedstat), in cores',
      );
    }
    out.push('');
  }
  for (const sc of ['rest', 'grpc']) {
    const rows = report.results.filter((/** @type {any} */ r) => r.scenario === sc);
    if (!rows.length) continue;
    const what = sc === 'rest' ? 'POST /v1/publish' : 'PushService/Publish';
    out.push(
      `${sc.toUpperCase()} ${what}, no subscribers (${report.options.pushConnections} in flight; latency at a fixed rate, from when each request was due)`,
    );
    out.push(
      table(
        [
          'target',
          'round',
          'req/s',
          'srv CPU',
          'srv µs/req',
          'bench CPU',
          'other CPU',
          'at rate',
          'p50 ms',
          'p99 ms',
          'max ms',
          'srv µs/req',
          'notes',
        ],
        rows.map((/** @type {any} */ r) => [
          r.target,
          r.round,
          fmt(r.requestsPerSec),
          pctCpu(r.serverCpu),
          fmt(r.serverCpuUsPerRequest, 1),
          pctCpu(r.benchCpu),
          pctCpu(r.otherCpu),
          fmt(r.latency.rate),
          fmt(r.latency.p50Ms, 2),
          fmt(r.latency.p99Ms, 2),
          fmt(r.latency.maxMs, 2),
          fmt(r.latency.serverCpuUsPerRequest, 1),
          pushNotes(r),
        ]),
      ),
    );
    out.push('');
  }
  if (report.options.rounds > 1 && (fan.length > 0 || lat.length > 0)) {
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
  for (const [key, t] of CLUSTER_LATENCY) {
    const med = rt[`${key}_latency_p99AddedMs`];
    if (med === undefined) continue;
    const per = addedP99ByRound(report.results, t).map((d) => `${d >= 0 ? '+' : ''}${d.toFixed(2)}`);
    out.push(
      `${t} p99 added over Beacon's in the same round: ${per.join(' / ')} ms (median ${med >= 0 ? '+' : ''}${med.toFixed(2)} ms)`,
    );
  }
  for (const sc of ['rest', 'grpc']) {
    for (const t of ['beacon', 'cluster']) {
      const x = rt[`${sc}_${t}_requestsPerSec`];
      if (x === undefined) continue;
      out.push(
        `${t} / reference ${sc.toUpperCase()} req/s: ${x.toFixed(3)} (${x >= 0.5 ? 'meets' : 'BELOW'} target 0.5); server CPU per request, reference / ${t}: ${rt[`${sc}_${t}_cpuEfficiency`].toFixed(3)}; p99 at half the reference's rate: ×${rt[`${sc}_${t}_p99AtHalfReference`].toFixed(2)}`,
      );
    }
  }
  for (const t of ['beacon', 'cluster']) {
    const h = rt[`features_${t}_historyVsPlain`];
    if (h !== undefined)
      out.push(
        `${t}: history topic / plain fan-out deliveries/s: ${h.toFixed(3)} (${h >= 0.85 ? 'meets' : 'BELOW'} target 0.85); CPU per delivery, plain / history: ${rt[`features_${t}_historyVsPlain_cpu`].toFixed(3)}`,
      );
    const c = rt[`features_${t}_churnVsPlain`];
    if (c !== undefined)
      out.push(
        `${t}: fan-out beside presence churn / plain fan-out deliveries/s: ${c.toFixed(3)}; CPU per delivery, plain / beside churn: ${rt[`features_${t}_churnVsPlain_cpu`].toFixed(3)}`,
      );
  }
  for (const w of report.warnings) out.push(`warning: ${w}`);
  process.stdout.write(out.join('\n') + '\n');
}

/** @param {any} r */
function pushNotes(r) {
  const bad = (/** @type {Record<string, number>} */ st) =>
    Object.entries(st ?? {}).filter(([k]) => k !== '200' && k !== 'OK');
  const n = [];
  for (const [k, v] of bad(r.statuses)) n.push(`${v}× ${k}`);
  for (const [k, v] of bad(r.latency?.statuses)) n.push(`latency ${v}× ${k}`);
  if (r.errors) n.push(`${r.errors} connection errors`);
  if (r.latency?.achievedPerSec < r.latency?.rate * 0.95)
    n.push(`latency phase reached ${r.latency.achievedPerSec}/s`);
  if (r.latency?.rateFrom && r.latency.rateFrom !== 'half the reference')
    n.push(`rate: ${r.latency.rateFrom}`);
  return n.join('; ') || '-';
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
