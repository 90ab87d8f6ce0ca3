import { PROTO_LOADER_OPTIONS, PUSH_PROTO } from '@beacon/contracts';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { HealthImplementation, protoPath as HEALTH_PROTO } from 'grpc-health-check';
import { withProtocMapEntryNames } from './reflection-descriptors.js';

export const PUSH_GRPC_PACKAGE = 'beacon.push.v1';
export const PUSH_GRPC_SERVICE = 'beacon.push.v1.PushService';

type GrpcServer = Parameters<ReflectionService['addToServer']>[0];

/**
 * Nest gRPC transport options serving PushService on `url` (`host:port`), with standard gRPC health checking
 * (`grpc.health.v1.Health`: '' and PushService SERVING) and server reflection, so `buf curl --reflect`,
 * grpcurl and grpc_health_probe work without the .proto. For `app.connectMicroservice()` in a hybrid app.
 */
export function pushGrpcOptions(url: string): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      package: PUSH_GRPC_PACKAGE,
      protoPath: PUSH_PROTO,
      url,
      loader: PROTO_LOADER_OPTIONS,
      onLoadPackageDefinition: (_pkg: PackageDefinition, server: GrpcServer) => {
        new ReflectionService(reflectionDefinition()).addToServer(server);
        new HealthImplementation({ '': 'SERVING', [PUSH_GRPC_SERVICE]: 'SERVING' }).addToServer(server);
      },
    },
  };
}

/** `host:port` for a gRPC URL, bracketing IPv6 literals. */
export function grpcAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * What reflection describes: PushService and the health service. Loaded with the proto's own field names
 * (keepCase), since reflection clients send JSON with them (`data_json`); the transport's own definition
 * camel-cases fields to match the generated TypeScript.
 */
function reflectionDefinition(): PackageDefinition {
  const options = { ...PROTO_LOADER_OPTIONS, keepCase: true };
  return withProtocMapEntryNames({ ...loadSync(PUSH_PROTO, options), ...loadSync(HEALTH_PROTO, options) });
}
