/** The push.proto PushService, loaded with the options the servers use, for the bench's gRPC client and reference. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');

/** @returns {{ PushService: grpc.ServiceClientConstructor }} */
export function pushPackage() {
  const def = loadSync('beacon/push/v1/push.proto', {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [PROTO_ROOT],
  });
  return /** @type {any} */ (grpc.loadPackageDefinition(def)).beacon.push.v1;
}
