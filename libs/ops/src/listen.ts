import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { reachableHost } from './config.js';

/** Starts HTTP on host:port (0 picks a free port) and says where it is reachable. */
export async function listenHttp(
  app: INestApplication,
  port: number,
  host: string,
): Promise<{ port: number; url: string }> {
  await app.listen(port, host);
  const bound = (app.getHttpServer().address() as AddressInfo).port;
  return { port: bound, url: `http://${reachableHost(host)}:${bound}` };
}
