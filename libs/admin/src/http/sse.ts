import type { ServerResponse } from 'node:http';

/** Bytes a stream may have waiting in its socket before the viewer counts as gone (closed). */
const MAX_BUFFERED = 1024 * 1024;
const PING_MS = 15_000;

/**
 * One server-sent-events response. Events are dropped, never queued without bound: past MAX_BUFFERED
 * waiting bytes the stream closes (the dashboard's EventSource reconnects). Cleanups run exactly once,
 * when the client goes away or the server closes the stream.
 */
export class SseStream {
  private open = true;
  private readonly cleanups: Array<() => void> = [];
  private readonly ping: NodeJS.Timeout;

  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.ping = setInterval(() => this.write(': ping\n\n'), PING_MS);
    this.ping.unref();
    res.on('close', () => this.close());
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Runs `fn` when the stream ends (at once if it has ended already). */
  onClose(fn: () => void): void {
    if (this.open) this.cleanups.push(fn);
    else fn();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.ping);
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // a failing cleanup must not keep the others from running
      }
    }
    this.res.end();
  }

  private write(text: string): void {
    if (!this.open) return;
    if (this.res.writableLength > MAX_BUFFERED) return this.close();
    this.res.write(text);
  }
}
