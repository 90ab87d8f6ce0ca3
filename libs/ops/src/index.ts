export { HealthController, METRICS_REFUSALS } from './health.controller.js';
export * from './readiness.js';
export * from './log-levels.js';
export * from './config.js';
export * from './process.js';
export * from './listen.js';
export * from './metrics-access.js';
