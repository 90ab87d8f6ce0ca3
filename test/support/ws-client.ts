import WebSocket from 'ws';
import { waitUntil } from './wait.js';

export interface Frame {
  type: string;
  [k: string]: unknown;
}

/** A real WebSocket client that records every frame and its close, for assertions. */
export class TestClient {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Frame));
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    ws.on('error', () => undefined);
  }

  /** Opens a socket; resolves once it is open (not necessarily authenticated). */
  static open(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Opens and waits for the `connected` frame. */
  static async connect(url: string): Promise<TestClient> {
    const c = await TestClient.open(url);
    await c.waitFor((f) => f.type === 'connected');
    return c;
  }

  get clientId(): string {
    return this.frames.find((f) => f.type === 'connected')?.clientId as string;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with an id and waits for its ack or error. */
  async request(
    frame: Record<string, unknown>,
    id: number | string = Math.random().toString(36).slice(2),
  ): Promise<Frame> {
    this.send({ ...frame, id });
    return this.waitFor((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
  }

  async subscribe(...topics: string[]): Promise<void> {
    const reply = await this.request({ type: 'subscribe', topics });
    if (reply.type !== 'ack') throw new Error(`subscribe failed: ${JSON.stringify(reply)}`);
  }

  /**
   * A ping/pong round trip. Every byte the server wrote to this socket before it read the ping
   * arrives before the pong, so after `sync()` anything already sent our way has been received:
   * the way to prove a message did NOT arrive, without sleeping.
   */
  async sync(): Promise<void> {
    const id = `sync-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'ping', id });
    await this.waitFor((f) => f.type === 'pong' && f.id === id);
  }

  messages(topic?: string): Frame[] {
    return this.frames.filter((f) => f.type === 'message' && (topic === undefined || f.topic === topic));
  }

  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    let found: Frame | undefined;
    await waitUntil(
      () => (found = this.frames.find(pred)) !== undefined,
      timeoutMs,
      () => `frame not seen; got ${JSON.stringify(this.frames.slice(-5))}`,
    );
    return found as Frame;
  }

  async waitClosed(timeoutMs = 5_000): Promise<number> {
    await waitUntil(
      () => this.closeCode !== null,
      timeoutMs,
      () => 'socket not closed',
    );
    return this.closeCode as number;
  }

  close(): void {
    this.ws.close();
  }
}
