import { fileURLToPath } from 'node:url';

/** Generated from proto/ by `npm run proto:generate`; `npm run proto:check` fails when stale. */
export * as cluster from './gen/beacon/cluster/v1/cluster.js';
export * as push from './gen/beacon/push/v1/push.js';

/** proto/ at the repository root: the one source of gRPC truth, loaded at run time by Nest's gRPC transport and reflection. */
export const PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));
export const CLUSTER_PROTO = 'beacon/cluster/v1/cluster.proto';
export const PUSH_PROTO = 'beacon/push/v1/push.proto';

/** proto-loader options that make decoded objects match the generated TypeScript types. */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};
