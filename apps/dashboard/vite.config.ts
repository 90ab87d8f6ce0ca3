import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The platform the dev server proxies `/admin` to (`npm run dev:dashboard`). Its origin is also sent as the
// `Origin` of proxied calls, because the admin API refuses mutations from a foreign origin.
const platform = process.env['BEACON_DASHBOARD_PROXY'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [react()],
  resolve: {
    // The contract's sources, so the dashboard builds without the libs' tsc output.
    alias: {
      '@beacon/admin-api': fileURLToPath(new URL('../../libs/admin-api/src/index.ts', import.meta.url)),
      '@beacon/protocol': fileURLToPath(new URL('../../libs/protocol/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: separate files cache across releases.
        manualChunks: (id: string) => {
          if (!id.includes('node_modules')) return id.includes('/libs/') ? 'contract' : undefined;
          if (/node_modules\/(react|react-dom|scheduler|react-router|cookie|set-cookie-parser)\//.test(id))
            return 'react';
          if (id.includes('node_modules/zod/')) return 'contract';
          if (id.includes('node_modules/uplot/')) return 'uplot';
          return 'vendor';
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env['BEACON_DASHBOARD_DEV_PORT'] ?? 5173),
    strictPort: false,
    proxy: {
      // the client WebSocket and the push API too, so the app page's snippets work against the dev server
      '/ws': { target: platform, ws: true, changeOrigin: true },
      '/v1': { target: platform, changeOrigin: true },
      '/admin': {
        target: platform,
        changeOrigin: true,
        configure: (proxy) => {
          // The page's own origin becomes the platform's; any other origin goes through as it is (and is refused).
          proxy.on('proxyReq', (proxyReq, req) => {
            if (req.headers.origin === `http://${req.headers.host}`)
              proxyReq.setHeader('origin', new URL(platform).origin);
          });
        },
      },
    },
  },
});
