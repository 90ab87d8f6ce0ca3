import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

const lib = (name: string): string =>
  fileURLToPath(new URL(`../../libs/${name}/src/index.ts`, import.meta.url));

// The dashboard's component tests: React in jsdom, no browser. Part of the default `npx vitest run`
// (a project of the root vitest.config.ts); the browser tier is test/browser/vitest.config.ts.
export default defineProject({
  plugins: [react()],
  resolve: { alias: { '@beacon/admin-api': lib('admin-api'), '@beacon/protocol': lib('protocol') } },
  test: {
    name: 'dashboard',
    root: fileURLToPath(new URL('.', import.meta.url)),
    environment: 'jsdom',
    include: ['src/**/*.spec.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    css: false,
  },
});
