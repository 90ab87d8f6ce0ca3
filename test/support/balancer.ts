import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/**
 * A TCP load balancer on 127.0.0.1, as in front of a cluster's gateways: each incoming connection is
 * forwarded to the next upstream in round-robin order that accepts it (a refused or unanswered connect
 * moves on to the following one); when none accepts, the connection is closed. A connection ends both
 * ways when either side ends, so a gateway's crash reaches its clients as a lost connection.
 */
export class TcpBalancer {
  private readonly sockets = new Set<Socket>();
  private next = 0;
  private port = 0;
  /** Connections forwarded to each upstream (same index as `upstreams`), and those no upstream took. */
  readonly forwarded: number[];
  failed = 0;

  private constructor(
    private readonly server: Server,
    private readonly upstreams: Upstream[],
    private readonly connectTimeoutMs: number,
  ) {
    this.forwarded = upstreams.map(() => 0);
    server.on('connection', (client) => {
      this.track(client);
      client.on('error', () => client.destroy());
      this.forward(client, this.next++ % upstreams.length, upstreams.length);
    });
  }

  static async start(upstreams: Upstream[], connectTimeoutMs = 1_000): Promise<TcpBalancer> {
    // pauseOnConnect: what the client sends before an upstream accepted waits in its socket
    const lb = new TcpBalancer(createServer({ pauseOnConnect: true }), upstreams, connectTimeoutMs);
    await new Promise<void>((resolve) => lb.server.listen(0, '127.0.0.1', resolve));
    lb.port = (lb.server.address() as AddressInfo).port;
    return lb;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Tries upstream `i`, then the ones after it, `left` in all. */
  private forward(client: Socket, i: number, left: number): void {
    if (client.destroyed) return;
    if (left === 0) {
      this.failed++;
      client.destroy();
      return;
    }
    const target = this.upstreams[i] as Upstream;
    const upstream = createConnection({ host: target.host, port: target.port });
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), this.connectTimeoutMs);
    const onFail = () => {
      clearTimeout(timer);
      upstream.destroy();
      this.forward(client, (i + 1) % this.upstreams.length, left - 1);
    };
    upstream.once('error', onFail);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', onFail);
      if (client.destroyed) return void upstream.destroy();
      this.forwarded[i]!++;
      this.track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
