import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that forwards bytes both ways and can stop forwarding one direction, so
 * the sender's TCP buffers and HTTP/2 flow-control window fill as they would behind a peer that
 * stopped reading. `stall('toServer')` stops reading what clients send; `stall('toClient')` stops
 * reading what the server sends; `resume()` lets everything through again.
 */
export class StallProxy {
  private readonly pairs: Array<{ client: Socket; upstream: Socket; up: boolean; down: boolean }> = [];
  private stalled = { toServer: false, toClient: false };

  private readonly server: Server;
  private port = 0;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = createConnection(target.port, target.host);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      this.pairs.push({ client, upstream, up: false, down: false });
      this.apply();
    });
  }

  static async start(target: { host: string; port: number }): Promise<StallProxy> {
    const proxy = new StallProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  stall(direction: 'toServer' | 'toClient'): void {
    this.stalled[direction] = true;
    this.apply();
  }

  resume(): void {
    this.stalled = { toServer: false, toClient: false };
    this.apply();
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private apply(): void {
    // pipe() resumes a paused source on 'drain'; unpiping while stalled keeps it stopped.
    for (const pair of this.pairs) {
      if (this.stalled.toServer === pair.up) {
        pair.up = !this.stalled.toServer;
        if (pair.up) pair.client.pipe(pair.upstream);
        else {
          pair.client.unpipe(pair.upstream);
          pair.client.pause();
        }
      }
      if (this.stalled.toClient === pair.down) {
        pair.down = !this.stalled.toClient;
        if (pair.down) pair.upstream.pipe(pair.client);
        else {
          pair.upstream.unpipe(pair.client);
          pair.upstream.pause();
        }
      }
    }
  }
}
