/**
 * Time behind a port, so expiry, heartbeats, liveness and deadlines are testable without sleeping: the
 * topic-service and the gateway use `systemClock`; specs drive a `ManualClock` forward by hand.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`; returns a function that cancels it. Never keeps the process alive. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

interface ManualTimer {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to; due timers run, in order, inside `advance`. */
export class ManualClock implements Clock {
  private timers: ManualTimer[] = [];

  constructor(private t = 1_000_000) {}

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer: ManualTimer = { at: this.t + ms, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => !x.cancelled && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.t = Math.max(this.t, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.timers = this.timers.filter((x) => !x.cancelled);
    this.t = end;
  }
}
