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
import { parseArgs } from 'node:util';
import { fanout, latency } from './lib/scenarios.js';
import { startChurn } from './lib/churn.js';
import { grpcScenario, restScenario } from './lib/push-scenarios.js';
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
} from './lib/servers.js';
import { waitForQuietMachine } from './lib/cpu.js';
import { LOOP_DELAY_PRELOAD, setLoopDelayDir } from './lib/loop-delay.js';
import { fmt, machine, pctCpu, printReport, ratios } from './lib/report.js';

const HELP = `Usage: npm run bench -- [options]

  --target <t>               reference | beacon | cluster | both (reference + beacon)
                             | all (default: all three)
  --scenario <s>             fanout | latency | rest | grpc | push (rest + grpc) | all (default all);
                             features: plain fan-out, fan-out on a history topic, and plain fan-out
                             beside presence churn (Beacon and the cluster; not part of all)
  --churn-members <n>        features: presence members held during the churn (default 10000)
  --churn-rate <n>           features: presence joins + leaves per second (default 1000)
  --duration <s>             measured seconds per scenario (default 10)
  --warmup <s>               unmeasured seconds before each measurement (default 1)
  --subscribers <n>          fan-out subscribers (default 2000)
  --window <w>               fan-out: messages not yet delivered to all, at most (default 8)
  --latency-subscribers <m>  latency subscribers (default 100)
  --rate <r>                 latency: messages per second (default 200)
  --latency-duration <s>     latency measured seconds (default: --duration)
  --payload <bytes>          padding added to each message's data (default 64)
  --push-connections <n>     rest/grpc: requests in flight (default 64)
  --push-rate <r>            rest/grpc latency phase: requests/s (default: half the reference's capacity
                             measured in this run, else half the target's own)
  --grpc-channels <n>        grpc: client channels the calls are spread over (default 4)
  --drain <s>                longest wait for outstanding deliveries after publishing (default 5)
  --stall <s>                fan-out: stop if no message completes for this long (default 5)
  --busy-poll                fan-out: keep the bench's event loop spinning so it never sleeps in epoll_wait
  --latency-publisher <p>    latency: raw (HTTP/1.1 on raw sockets, default) | node (node:http's client)
  --connect-batch <k>        clients connecting at once (default 100)
  --rounds <r>               repeat the whole set, alternating targets (default 1)
  --wait-idle <s>            before each scenario, wait up to s seconds for a quiet machine (default 30; 0 = off)
  --loop-delay               latency: record each server process's event-loop delay histogram over the
                             measured window (perf_hooks.monitorEventLoopDelay, preloaded with --import)
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
      'push-connections': { type: 'string', default: '64' },
      'push-rate': { type: 'string' },
      'grpc-channels': { type: 'string', default: '4' },
      drain: { type: 'string', default: '5' },
      stall: { type: 'string', default: '5' },
      'connect-batch': { type: 'string', default: '100' },
      rounds: { type: 'string', default: '1' },
      'churn-members': { type: 'string', default: '10000' },
      'churn-rate': { type: 'string', default: '1000' },
      'wait-idle': { type: 'string', default: '30' },
      'server-node-args': { type: 'string', default: '' },
      'beacon-main': { type: 'string', default: BEACON_MAIN },
      json: { type: 'boolean', default: false },
      'busy-poll': { type: 'boolean', default: false },
      'latency-publisher': { type: 'string', default: 'raw' },
      'loop-delay': { type: 'boolean', default: false },
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
  if (!['fanout', 'latency', 'rest', 'grpc', 'push', 'features', 'all'].includes(values.scenario))
    throw new Error(`bad --scenario ${values.scenario}`);
  if (!['raw', 'node'].includes(String(values['latency-publisher'])))
    throw new Error(`bad --latency-publisher ${values['latency-publisher']}`);
  const duration = num('duration', 0.5, 600, false);
  if (values['latency-duration'] === undefined) values['latency-duration'] = String(duration);
  return {
    help: values.help,
    json: values.json,
    busyPoll: values['busy-poll'],
    latencyPublisher: /** @type {'raw' | 'node'} */ (values['latency-publisher']),
    loopDelay: values['loop-delay'],
    out: values.out,
    target: values.target,
    scenario: values.scenario,
    beaconMain: values['beacon-main'],
    duration,
    warmup: num('warmup', 0, 60, false),
    subscribers: num('subscribers', 1, 20000),
    window: num('window', 1, 4096),
    latencySubscribers: num('latency-subscribers', 1, 20000),
    churnMembers: num('churn-members', 10, 100000),
    churnRate: num('churn-rate', 1, 100000),
    rate: num('rate', 1, 10000, false),
    latencyDuration: num('latency-duration', 0.5, 600, false),
    payload: num('payload', 0, 1000000),
    pushConnections: num('push-connections', 1, 1024),
    pushRate: values['push-rate'] === undefined ? undefined : num('push-rate', 1, 1_000_000, false),
    grpcChannels: num('grpc-channels', 1, 64),
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
  if (opts.loopDelay) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-bench-loop-'));
    process.env.BENCH_LOOP_DELAY_DIR = dir;
    setLoopDelayDir(dir);
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    opts.serverNodeArgs.unshift(`--import=${LOOP_DELAY_PRELOAD}`);
  }
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

  /** @param {string} s */
  const runs = (s) =>
    opts.scenario === 'all' ||
    opts.scenario === s ||
    (opts.scenario === 'push' && (s === 'rest' || s === 'grpc'));
  /** The reference's capacity per push scenario, from the latest round: its half is the latency rate. */
  /** @type {Record<string, number>} */
  const referenceRate = {};
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
      /** The fan-out scenario's options; the features runs vary the topic and the row's name. */
      const fanoutOptions = {
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
      };
      try {
        if (runs('fanout')) {
          await quiet(`${target} fan-out`);
          const r = await fanout(server, fanoutOptions);
          results.push({ round, ...r });
          log(
            `${target} fan-out: ${fmt(r.deliveriesPerSec)} deliveries/s, ${fmt(r.messagesPerSec, 1)} msg/s, loss ${r.loss}, server CPU ${pctCpu(r.serverCpu)}, bench CPU ${pctCpu(r.benchCpu)}`,
          );
        }
        if (opts.scenario === 'features' && target !== 'reference') {
          for (const [scenario, topic] of [
            ['fanout', 't'],
            ['fanout-history', 'h'],
          ]) {
            await quiet(`${target} ${scenario}`);
            const r = await fanout(server, { ...fanoutOptions, topic, scenario });
            results.push({ round, ...r });
            log(
              `${target} ${scenario}: ${fmt(r.deliveriesPerSec)} deliveries/s, ${fmt(r.messagesPerSec, 1)} msg/s, loss ${r.loss}`,
            );
          }
          await quiet(`${target} fanout-churn`);
          const churn = await startChurn(server, {
            members: opts.churnMembers,
            perConn: 10,
            topics: 100,
            rate: opts.churnRate,
            batch: opts.batch,
            log,
          });
          const r = await fanout(server, { ...fanoutOptions, topic: 't', scenario: 'fanout-churn' });
          const c = await churn.stop();
          results.push({ round, ...r, churn: c });
          log(
            `${target} fanout-churn: ${fmt(r.deliveriesPerSec)} deliveries/s beside ${fmt(c.opsPerSec)} joins+leaves/s (${c.members} members, ${c.refused} refused, ${c.unanswered} unanswered)`,
          );
        } else if (opts.scenario === 'features') log(`${target}: no presence or history; features skipped`);
        for (const scenario of /** @type {const} */ (['rest', 'grpc'])) {
          if (!runs(scenario)) continue;
          await quiet(`${target} ${scenario}`);
          const known = referenceRate[scenario];
          const push = {
            connections: opts.pushConnections,
            duration: opts.duration,
            warmup: opts.warmup,
            payload: opts.payload,
            channels: opts.grpcChannels,
            rate: opts.pushRate ?? (target !== 'reference' && known ? known / 2 : undefined),
            log,
          };
          const r = await (scenario === 'rest' ? restScenario(server, push) : grpcScenario(server, push));
          if (opts.pushRate === undefined && target !== 'reference' && known)
            r.latency.rateFrom = 'half the reference';
          if (target === 'reference') referenceRate[scenario] = r.requestsPerSec;
          results.push({ round, ...r });
          log(
            `${target} ${scenario}: ${fmt(r.requestsPerSec)} req/s, srv ${fmt(r.serverCpuUsPerRequest, 1)} µs/req; p99 ${fmt(r.latency.p99Ms, 2)} ms at ${fmt(r.latency.rate)} req/s`,
          );
        }
        if (runs('latency')) {
          const base = {
            subscribers: opts.latencySubscribers,
            rate: opts.rate,
            duration: opts.latencyDuration,
            warmup: opts.warmup,
            drain: opts.drain,
            payload: opts.payload,
            batch: opts.batch,
            publisher: opts.latencyPublisher,
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
