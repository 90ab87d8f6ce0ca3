/**
 * The bench side of `--loop-delay` (lib/loop-delay-preload.js): bracket a window with SIGUSR2 and read
 * each server process's event-loop delay histogram for it. Bounded waits; a process without the preload
 * (or gone) reports nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOOP_DELAY_PRELOAD = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'loop-delay-preload.js',
);
let dir = '';

/** @param {string} d where the preloaded servers write their histograms */
export function setLoopDelayDir(d) {
  dir = d;
}

/** @param {import('./servers.js').RunningServer} server */
function roles(server) {
  return server.processes ?? [{ role: server.name, pid: server.pid }];
}

/**
 * Starts a window (or ends it): signals every process, and when ending, returns each one's histogram.
 * @param {import('./servers.js').RunningServer} server
 * @returns {Promise<Record<string, unknown> | undefined>}
 */
export async function loopDelayMark(server) {
  if (dir === '') return undefined;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const { role, pid } of roles(server)) {
    const file = path.join(dir, `${pid}.json`);
    const before = readSeq(file);
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      continue;
    }
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && readSeq(file) === before) await new Promise((r) => setTimeout(r, 10));
    try {
      out[role] = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      // no preload in that process
    }
  }
  return out;
}

/** @param {string} file */
function readSeq(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).seq;
  } catch {
    return 0;
  }
}
