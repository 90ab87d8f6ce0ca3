import type { INestApplication } from '@nestjs/common';
import { reachableHost } from '@beacon/ops';
import { grpcAddress, pushGrpcOptions } from './grpc/push-grpc.options.js';
import { pushApiBodyParser } from './push-api.module.js';

/**
 * Serves the push API on a Nest app that imports PushApiModule: the bounded JSON body parser with
 * problem responses, and, unless `grpcPort` is null, the gRPC PushService (with health and reflection)
 * on `host:grpcPort`. Call before `listen`. Returns where gRPC is reachable (host:port), or null.
 */
export async function servePushApi(
  app: INestApplication,
  opts: { maxMessageBytes: number; host: string; grpcPort: number | null },
): Promise<string | null> {
  app.use(...pushApiBodyParser(opts.maxMessageBytes));
  if (opts.grpcPort === null) return null;
  app.connectMicroservice(pushGrpcOptions(grpcAddress(opts.host, opts.grpcPort)));
  await app.startAllMicroservices();
  return grpcAddress(reachableHost(opts.host), opts.grpcPort);
}
