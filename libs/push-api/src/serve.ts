import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MetricsRegistry } from '@beacon/metrics';
import { reachableHost } from '@beacon/ops';
import { ROUTER, type Router } from '@beacon/routing';
import { grpcAddress, pushGrpcOptions } from './grpc/push-grpc.options.js';
import {
  APP_AUTHENTICATOR,
  AUDIT_SINK,
  PUSH_API_OPTIONS,
  type AppAuthenticator,
  type AuditSink,
  type PushApiOptions,
} from './ports.js';
import { RequestTiming } from './request-timing.js';
import { registerRestRoutes } from './rest/rest-routes.js';

/**
 * Serves the push API on a Nest app (on Fastify) that imports PushApiModule: the REST routes of ROUTES,
 * registered straight on the Fastify instance (rest/rest-routes.ts), and, unless `grpcPort` is null, the
 * gRPC PushService (with health and reflection) on `host:grpcPort`. Call before `listen`. Returns where
 * gRPC is reachable (host:port), or null.
 */
export async function servePushApi(
  app: NestFastifyApplication,
  opts: { host: string; grpcPort: number | null },
): Promise<string | null> {
  const logger = new Logger('PushApi');
  await registerRestRoutes(app.getHttpAdapter().getInstance(), {
    router: app.get<symbol, Router>(ROUTER, { strict: false }),
    auth: app.get<symbol, AppAuthenticator>(APP_AUTHENTICATOR, { strict: false }),
    audit: app.get<symbol, AuditSink>(AUDIT_SINK, { strict: false }),
    options: app.get<symbol, PushApiOptions>(PUSH_API_OPTIONS, { strict: false }),
    logError: (message) => logger.error(message),
    timing: new RequestTiming(app.get(MetricsRegistry, { strict: false })),
  });
  if (opts.grpcPort === null) return null;
  app.connectMicroservice(pushGrpcOptions(grpcAddress(opts.host, opts.grpcPort)));
  await app.startAllMicroservices();
  return grpcAddress(reachableHost(opts.host), opts.grpcPort);
}
