import type { StatsSnapshot } from '@beacon/admin-api';
import type { FastifyInstance } from 'fastify';
import type { Router } from '@beacon/routing';
import { DEFAULT_ADMIN_SETTINGS, type AdminModuleOptions } from './admin.options.js';
import { AppIndex } from './app-index.js';
import { AuditFeed } from './audit-feed.js';
import { serveDashboard } from './http/dashboard.js';
import type { AdminServices } from './http/handlers.js';
import { registerAdminRoutes } from './http/register.js';
import { OperatorSessions } from './sessions.js';
import type { AdminStore } from './store.js';
import { AdminUseCases } from './use-cases.js';

export interface ServeAdminInput {
  options: AdminModuleOptions;
  store: AdminStore;
  router: Router;
  /** The built dashboard; null serves no dashboard. */
  dashboardDir: string | null;
  maxTopicLength: number;
  logError: (message: string) => void;
}

export interface ServedAdmin {
  services: AdminServices;
  close(): void;
}

/** How often expired sessions are deleted. */
const PRUNE_MS = 10 * 60_000;

/**
 * Serves the admin API (/admin/v1) and the dashboard (/dashboard/) on a Fastify instance. Call before
 * `listen`. One statistics subscription per process feeds the apps' connection counts; it and the session
 * pruning timer stop on `close` (also on the Fastify instance's close).
 */
export async function serveAdminOn(fastify: FastifyInstance, input: ServeAdminInput): Promise<ServedAdmin> {
  const settings = { ...DEFAULT_ADMIN_SETTINGS, ...input.options.settings };
  const now = input.options.now ?? Date.now;
  let latest: StatsSnapshot | null = null;
  const unsubscribe = input.options.liveStats.subscribe((snap) => {
    latest = snap;
  });
  const sessions = new OperatorSessions(input.store, settings, now);
  const auditFeed = new AuditFeed(input.store, settings.auditPollMs);
  const services: AdminServices = {
    store: input.store,
    useCases: new AdminUseCases(input.store),
    sessions,
    auditFeed,
    apps: new AppIndex(input.store, now),
    router: input.router,
    liveStats: input.options.liveStats,
    topics: input.options.topics,
    connections: input.options.connections,
    settings,
    latest: () => latest,
    maxTopicLength: input.maxTopicLength,
  };
  await registerAdminRoutes(fastify, services, input.logError);
  if (input.dashboardDir !== null) await serveDashboard(fastify, input.dashboardDir);
  const prune = setInterval(() => void sessions.prune().catch(() => undefined), PRUNE_MS);
  prune.unref();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(prune);
    unsubscribe();
    auditFeed.stop();
  };
  fastify.addHook('onClose', (_instance, done) => {
    close();
    done();
  });
  return { services, close };
}
