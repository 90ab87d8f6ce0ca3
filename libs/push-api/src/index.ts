export * from './ports.js';
export * from './push-api.exception.js';
export * from './push-api.module.js';
export { sendProblem } from './problem.filter.js';
export { openApiDocument, ROUTES, type PushAction, type RouteSpec } from './routes.js';
export { ERROR_CODE_METADATA, GRPC_STATUS } from './grpc/grpc-status.js';
export {
  grpcAddress,
  pushGrpcOptions,
  PUSH_GRPC_PACKAGE,
  PUSH_GRPC_SERVICE,
} from './grpc/push-grpc.options.js';
export { CachedAuthenticator } from './cached-authenticator.js';
export { servePushApi } from './serve.js';
