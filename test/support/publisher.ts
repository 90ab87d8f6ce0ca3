/** A publishing loop running in the background: see `publishAtRate`. */
export interface RatePublisher {
  /** Publishes started so far (the next one gets this `seq`). */
  readonly sent: number;
  /** Starts no further publish; `done` settles once the one in flight has. */
  stop(): void;
  /** Settles when the loop ends; rejects with the first failed publish. */
  readonly done: Promise<void>;
}

/**
 * Calls `publish(seq)` for seq = 0, 1, 2, … at `rate` per second, each after the previous one settled (so
 * the server routes them in order), until `stop()`, `total` publishes, or `maxMs` (default 20 s) passed.
 * `publish` throws to fail the loop (a non-2xx answer, say).
 */
export function publishAtRate(
  rate: number,
  publish: (seq: number) => Promise<unknown>,
  options: { total?: number; maxMs?: number } = {},
): RatePublisher {
  const { total = Infinity, maxMs = 20_000 } = options;
  let running = true;
  let sent = 0;
  const start = performance.now();
  const done = (async () => {
    while (running && sent < total && performance.now() - start < maxMs) {
      const due = start + (sent * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (!running) return;
      await publish(sent++);
    }
  })();
  return {
    get sent() {
      return sent;
    },
    stop: () => (running = false),
    done,
  };
}
