export * from './app-directory.js';
export { ConnectRefused } from './auth.js';
export { ClientGateway } from './client-gateway.js';
export * from './gateway.module.js';
export * from './gateway.options.js';
export { permissionHooks } from './hook-chain.js';
export * from './hooks.js';
export { BeaconWsAdapter } from './ws.adapter.js';
export { frameText } from './ws-frame.js';
export { gatewayLimitsEnv, gatewayLimitsFrom } from './limits.env.js';
export type { Connection } from './connection.js';
export type { AppView, Hub, TopicEntry } from './hub.js';
export {
  MAX_TAP_DATA,
  MAX_TAP_QUEUED,
  MAX_TAP_RATE,
  type TapListener,
  type TappedMessage,
} from './topic-taps.js';
