import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const DASHBOARD_PATH = '/dashboard/';

/**
 * Serves the built dashboard (apps/dashboard/dist) at /dashboard/: files as they are, any other path under
 * it is the single-page app's index.html (client-side routes). Hashed assets (assets/) are cached for a
 * year; everything else (index.html above all) is revalidated on every load, so a new release shows at once.
 * Without a build, /dashboard/ answers 503 saying how to build it.
 */
export async function serveDashboard(fastify: FastifyInstance, distDir: string): Promise<void> {
  await fastify.register(async (scope) => {
    scope.get('/dashboard', (_req, reply) => reply.redirect(DASHBOARD_PATH, 302));
    if (!existsSync(join(distDir, 'index.html'))) {
      scope.get('/dashboard/*', (_req, reply) =>
        reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(`The dashboard is not built: run npm run build:dashboard (looked in ${distDir}).\n`),
      );
      return;
    }
    const assets = `${join(distDir, 'assets')}${sep}`;
    await scope.register(fastifyStatic, {
      root: distDir,
      prefix: DASHBOARD_PATH,
      index: ['index.html'],
      wildcard: false,
      // the headers below decide caching, not @fastify/send's defaults
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader(
          'cache-control',
          path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
    // client-side routes: anything else under /dashboard/ is the app
    scope.get('/dashboard/*', (_req, reply) => {
      void reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    });
  });
}
