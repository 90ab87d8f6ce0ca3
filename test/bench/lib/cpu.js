/**
 * CPU accounting from /proc: per-process-tree CPU seconds, the bench's own and the machine's, and a
 * wait for a quiet machine before measuring.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
let clkTck = 0;
function ticksPerSecond() {
  if (clkTck === 0) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/**
 * @typedef {{ name: string, ppid: number, ticks: number, waitNs: number }} ProcStat
 * @typedef {Map<number, ProcStat>} ProcSnapshot
 */

/**
 * user+system clock ticks of every process, and how long its main thread has waited runnable for a CPU
 * (the run queue, from /proc/<pid>/schedstat: 0 where the kernel has no schedstat), from /proc (an empty
 * map where /proc is absent).
 * @returns {ProcSnapshot}
 */
export function procSnapshot() {
  /** @type {ProcSnapshot} */
  const snap = new Map();
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return snap;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    let waitNs = 0;
    try {
      waitNs = Number(fs.readFileSync(`/proc/${e}/schedstat`, 'utf8').split(' ')[1]) || 0;
    } catch {
      // no schedstat (kernel without CONFIG_SCHED_INFO) or the process is gone
    }
    snap.set(Number(e), {
      name: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]),
      waitNs,
    });
  }
  return snap;
}

/**
 * `pid` and its descendants in a snapshot.
 * @param {ProcSnapshot} snap
 * @param {number} pid
 * @returns {Set<number>}
 */
export function processTree(snap, pid) {
  /** @type {Map<number, number[]>} */
  const kids = new Map();
  for (const [p, s] of snap) {
    const list = kids.get(s.ppid);
    if (list) list.push(p);
    else kids.set(s.ppid, [p]);
  }
  const tree = new Set();
  const stack = [pid];
  while (stack.length > 0) {
    const p = /** @type {number} */ (stack.pop());
    tree.add(p);
    for (const k of kids.get(p) ?? []) stack.push(k);
  }
  return tree;
}

/**
 * CPU seconds used between two snapshots by the processes `select` keeps, the busiest of them, and the
 * seconds their main threads waited in the run queue (runnable, no CPU free for them).
 * @param {ProcSnapshot} a
 * @param {ProcSnapshot} b
 * @param {(pid: number) => boolean} select
 * @returns {{ seconds: number, waitSeconds: number, top: { pid: number, name: string, seconds: number }[] }}
 */
export function cpuBetween(a, b, select) {
  const t = ticksPerSecond();
  let ticks = 0;
  let waitNs = 0;
  /** @type {{ pid: number, name: string, seconds: number }[]} */
  const all = [];
  for (const [pid, s] of b) {
    if (!select(pid)) continue;
    waitNs += Math.max(0, s.waitNs - (a.get(pid)?.waitNs ?? 0));
    const d = s.ticks - (a.get(pid)?.ticks ?? 0);
    if (d <= 0) continue;
    ticks += d;
    all.push({ pid, name: s.name, seconds: d / t });
  }
  all.sort((x, y) => y.seconds - x.seconds);
  return { seconds: ticks / t, waitSeconds: waitNs / 1e9, top: all.slice(0, 3) };
}

/** CPU seconds used so far by this (bench) process, all threads. */
export function selfCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Machine-wide CPU seconds from /proc/stat (all CPUs summed): busy (everything but idle and iowait),
 * softirq (network stack work done outside any process's account) and steal. Zeros where /proc is absent.
 * @returns {{ busy: number, softirq: number, steal: number }}
 */
export function machineCpuSeconds() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    const t = ticksPerSecond();
    return {
      busy: (user + nice + system + irq + softirq + steal) / t,
      softirq: softirq / t,
      steal: (steal ?? 0) / t,
    };
  } catch {
    return { busy: 0, softirq: 0, steal: 0 };
  }
}

/**
 * Waits (bounded) for a quiet machine: a 1 s window in which everything else together used less than
 * `maxCores` of CPU. Other people's builds and tests skew a 2-core benchmark badly.
 * @param {number} maxSeconds
 * @param {number} [maxCores]
 * @returns {Promise<{ quiet: boolean, waitedSeconds: number, lastBusy: number }>}
 */
export async function waitForQuietMachine(maxSeconds, maxCores = 0.3) {
  const start = Date.now();
  let lastBusy = NaN;
  while (Date.now() - start <= maxSeconds * 1000) {
    const a = machineCpuSeconds();
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    lastBusy = (machineCpuSeconds().busy - a.busy) / ((Date.now() - t) / 1000);
    if (lastBusy < maxCores) return { quiet: true, waitedSeconds: (Date.now() - start) / 1000, lastBusy };
  }
  return { quiet: false, waitedSeconds: (Date.now() - start) / 1000, lastBusy };
}
