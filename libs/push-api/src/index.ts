export * from './ports.js';
export * from './push-api.exception.js';
export * from './push-api.module.js';
export { sendProblem } from './problem.filter.js';
export { openApiDocument, ROUTES } from './routes.js';
