import type { TailedMessage } from '../ports.js';

/**
 * Bounds what a topic tail sends ONE viewer: at most `ratePerSec` messages per second (a token bucket with
 * a one-second burst); the rest are counted and reported as one `dropped` event per second. Never queues,
 * so a busy topic costs the viewer nothing but a counter.
 */
export class TailValve {
  private tokens: number;
  private at = Date.now();
  private dropped = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ratePerSec: number,
    private readonly send: (m: TailedMessage) => void,
    private readonly reportDropped: (n: number) => void,
  ) {
    this.tokens = ratePerSec;
    this.timer = setInterval(() => this.flush(), 1_000);
    this.timer.unref();
  }

  offer(m: TailedMessage): void {
    const now = Date.now();
    this.tokens = Math.min(this.ratePerSec, this.tokens + ((now - this.at) * this.ratePerSec) / 1000);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.send(m);
    } else this.dropped++;
  }

  private flush(): void {
    if (this.dropped === 0) return;
    const n = this.dropped;
    this.dropped = 0;
    this.reportDropped(n);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
