#!/usr/bin/env node
// @ts-check
/**
 * DEV FIXTURE, not the product: a fake Beacon admin API with realistic data (five nodes, ~22,000 connections,
 * ~5,000 topics, a week of audit records) that serves the built dashboard at /dashboard/. Used by
 * `npm run dev:dashboard` when no platform runs, and by the browser tests (test/browser).
 *
 *   node apps/dashboard/dev/fixture-server.mjs [--port 8080] [--host 127.0.0.1] [--single] [--scale 1]
 *
 * Accounts: admin@localhost / beacon-admin-pass (admin), viewer@localhost / beacon-viewer-pass (viewer).
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startFixture } from './fixture/server.mjs';
import { OPERATOR_PASSWORDS } from './fixture/world.mjs';

export { startFixture };

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env['PORT'] ?? '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      single: { type: 'boolean', default: false },
      scale: { type: 'string', default: '1' },
      dist: { type: 'string', default: fileURLToPath(new URL('../dist', import.meta.url)) },
    },
  });
  const fixture = await startFixture({
    port: Number(values.port),
    host: values.host,
    cluster: !values.single,
    scale: Number(values.scale),
    distDir: values.dist,
  });
  console.log(`Beacon dashboard DEV FIXTURE (fake data, not the product) on ${fixture.url}/dashboard/`);
  for (const [email, password] of Object.entries(OPERATOR_PASSWORDS)) console.log(`  ${email} / ${password}`);
  const stop = () => void fixture.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
