import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { reachableHost } from './config.js';

/**
 * The HTTP adapter of every app: Fastify (docs/architecture.md#decisions). Path parameters up to 8 KiB, so
 * an over-long user or client id reaches its handler and is refused (and audited) as invalid_request
 * instead of falling through to a 404.
 */
export function httpAdapter(): FastifyAdapter {
  return new FastifyAdapter({ routerOptions: { maxParamLength: 8192 } });
}

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
