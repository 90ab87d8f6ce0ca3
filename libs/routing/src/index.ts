export * from './admission.js';
export * from './ids.js';
export * from './local.router.js';
export * from './router.js';
export * from './history.js';
export * from './presence.js';
export * from './app-policy.js';
export * from './lookup-cache.js';
