export { HealthController } from './health.controller.js';
export * from './readiness.js';
export * from './log-levels.js';
