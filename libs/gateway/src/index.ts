export * from './app-directory.js';
export { ConnectRefused } from './auth.js';
export { ClientGateway } from './client-gateway.js';
export * from './gateway.module.js';
export * from './gateway.options.js';
export { permissionHooks } from './hook-chain.js';
export * from './hooks.js';
export { BeaconWsAdapter } from './ws.adapter.js';
export { frameText } from './ws-frame.js';
