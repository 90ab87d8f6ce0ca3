import { defineConfig } from 'vitest/config';

// The browser tier (not in the default run): playwright-core drives Debian's Chromium against the built
// dashboard, served by the dev fixture (apps/dashboard/dev) or, with BEACON_BROWSER_BASE_URL, a running
// platform. `npm run test:browser` builds the dashboard first. Screenshots go to test/browser/artifacts/.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
