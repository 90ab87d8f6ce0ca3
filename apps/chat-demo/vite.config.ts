import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The platform the dev server proxies the demo's endpoints and the client WebSocket to.
const platform = process.env['BEACON_CHAT_DEMO_PROXY'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/demo/chat/',
  plugins: [react()],
  resolve: {
    // the SDK's and the contract's sources, so the demo builds without the libs' tsc output
    alias: {
      '@beacon/client': fileURLToPath(new URL('../../libs/client/src/index.ts', import.meta.url)),
      '@beacon/protocol': fileURLToPath(new URL('../../libs/protocol/src/index.ts', import.meta.url)),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    host: '127.0.0.1',
    port: Number(process.env['BEACON_CHAT_DEMO_DEV_PORT'] ?? 5174),
    proxy: {
      '/ws': { target: platform, ws: true, changeOrigin: true },
      '/demo/chat/token': { target: platform, changeOrigin: true },
      '/demo/chat/history': { target: platform, changeOrigin: true },
    },
  },
});
