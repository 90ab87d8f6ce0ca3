import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { aliases } from './vitest.shared.js';

// PostgreSQL tier: needs a server (BEACON_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test).
// Each run works in a fresh schema and drops it afterwards. Not part of `npm test`.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias: aliases },
  test: {
    include: ['test/pg/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
