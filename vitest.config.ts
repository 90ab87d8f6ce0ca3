import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';
import { aliases } from './vitest.shared.js';

// Default tier: unit specs beside the code and end-to-end tests in test/ that need nothing but this
// repository (real sockets, real processes, SQLite). Tiers needing machine services live in vitest.pg.config.ts.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias: aliases },
  test: {
    include: [
      'libs/*/src/**/*.spec.ts',
      'apps/*/src/**/*.spec.ts',
      'test/e2e/**/*.test.ts',
      'test/cluster/**/*.test.ts',
      'test/docs/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      // the specs and end-to-end tests above, in Node
      { extends: true, test: { name: 'node', exclude: [...configDefaults.exclude, 'apps/dashboard/**'] } },
      // the dashboard's component tests, in jsdom
      'apps/dashboard/vitest.config.ts',
    ],
  },
});
