import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { AdminModule, type AdminModuleOptions } from '@beacon/admin';
import { APP_DIRECTORY, CachedAppDirectory, GatewayModule, type GatewayHooks } from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import type { Persistence } from '@beacon/persistence';
import { APP_AUTHENTICATOR, AUDIT_SINK, CachedAuthenticator, PushApiModule } from '@beacon/push-api';
import { LocalRouter, MemoryHistoryStore, ROUTER } from '@beacon/routing';
import type { BeaconConfig } from './config.js';
import { HealthController, METRICS_ACCESS, READINESS, type Readiness } from '@beacon/ops';
import { BEACON_CONFIG } from './tokens.js';

/** What the process is doing, for readiness: set to draining when SIGTERM starts the drain. */
export interface Lifecycle {
  draining: boolean;
}

/** The process's router: the one authority for its history topics (in memory) and presence. */
function localRouter(nodeId: string, config: BeaconConfig, metrics: MetricsRegistry): LocalRouter {
  const store = new MemoryHistoryStore(config.history);
  const router = new LocalRouter(nodeId, store);
  setInterval(() => store.sweep(), 1000).unref(); // expired history messages, a bounded batch per tick
  metrics.gauge(
    'beacon_history_streams',
    'History topics whose position is kept',
    () => store.stats().streams,
  );
  metrics.gauge('beacon_history_messages', 'Messages kept in history', () => store.stats().messages);
  metrics.gauge(
    'beacon_history_bytes',
    'Bytes of history kept (payload + overhead)',
    () => store.stats().bytes,
  );
  metrics.gauge(
    'beacon_history_evicted',
    'History messages evicted by the byte bound (since start)',
    () => store.stats().evicted,
  );
  metrics.gauge('beacon_presence_members', 'Members of presence topics', () => router.presenceTable.size());
  return router;
}

/** The ports every part needs, bound once for the single-process platform. */
@Global()
@Module({})
class CoreModule {
  static forRoot(
    config: BeaconConfig,
    persistence: Persistence,
    nodeId: string,
    metrics: MetricsRegistry,
    lifecycle: Lifecycle,
  ): DynamicModule {
    const apps = new CachedAppDirectory(persistence.apps, config.appCacheTtlMs);
    const readiness: Readiness = {
      async check() {
        // Draining (SIGTERM): not ready at once, so a load balancer stops sending clients here.
        const drain: Record<string, string> = lifecycle.draining ? { drain: 'error: draining' } : {};
        try {
          await persistence.apps.findByKey('__readyz__');
          return { database: 'ok', ...drain };
        } catch (err) {
          return { database: `error: ${err instanceof Error ? err.message : String(err)}`, ...drain };
        }
      },
    };
    return {
      module: CoreModule,
      providers: [
        { provide: BEACON_CONFIG, useValue: config },
        { provide: MetricsRegistry, useValue: metrics },
        { provide: ROUTER, useValue: localRouter(nodeId, config, metrics) },
        { provide: APP_DIRECTORY, useValue: apps },
        {
          provide: APP_AUTHENTICATOR,
          useValue: new CachedAuthenticator(persistence.apps, config.appCacheTtlMs),
        },
        { provide: AUDIT_SINK, useValue: persistence.audit },
        { provide: READINESS, useValue: readiness },
        { provide: METRICS_ACCESS, useValue: { token: config.metricsToken } },
      ],
      exports: [
        BEACON_CONFIG,
        MetricsRegistry,
        ROUTER,
        APP_DIRECTORY,
        APP_AUTHENTICATOR,
        AUDIT_SINK,
        READINESS,
        METRICS_ACCESS,
      ],
    };
  }
}

/** Beacon in one process: gateway, push API, admin API and dashboard, health endpoints over one port. */
@Module({})
export class BeaconModule {
  static forRoot(
    config: BeaconConfig,
    persistence: Persistence,
    nodeId: string,
    metrics: MetricsRegistry,
    admin: AdminModuleOptions,
    hooks: Array<Type<GatewayHooks>> = [],
    lifecycle: Lifecycle = { draining: false },
  ): DynamicModule {
    return {
      module: BeaconModule,
      imports: [
        CoreModule.forRoot(config, persistence, nodeId, metrics, lifecycle),
        GatewayModule.forRoot({
          nodeId,
          limits: config.limits,
          sweepIntervalMs: config.sweepIntervalMs,
          hooks,
        }),
        PushApiModule.forRoot({
          maxMessageBytes: config.maxMessageBytes,
          maxTopicLength: config.limits.maxTopicLength,
        }),
        AdminModule.forRoot(admin),
      ],
      controllers: [HealthController],
    };
  }
}
