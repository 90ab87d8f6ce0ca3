import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that can cut the network: `cut(ms)` destroys every connection through it and,
 * for `ms`, destroys every new one as soon as it arrives (as a dropped link or a restarting load balancer
 * would), then lets connections through again.
 */
export class CutProxy {
  private readonly sockets = new Set<Socket>();
  private cutUntil = 0;
  /** Connections accepted and forwarded, and connections refused during a cut. */
  forwarded = 0;
  refused = 0;
  private port = 0;

  private constructor(
    private readonly server: Server,
    target: { host: string; port: number },
  ) {
    server.on('connection', (client) => {
      if (Date.now() < this.cutUntil) {
        this.refused++;
        client.destroy();
        return;
      }
      this.forwarded++;
      const upstream = createConnection(target.port, target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      }
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(target: { host: string; port: number }): Promise<CutProxy> {
    const proxy = new CutProxy(createServer(), target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Cuts every connection now and refuses new ones for `ms`. */
  cut(ms: number): void {
    this.cutUntil = Date.now() + ms;
    for (const s of this.sockets) s.destroy();
  }

  get cutting(): boolean {
    return Date.now() < this.cutUntil;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
