export * from './admission.js';
export * from './ids.js';
export * from './local.router.js';
export * from './router.js';
