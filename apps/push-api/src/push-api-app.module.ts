import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AdminModule, type AdminModuleOptions } from '@beacon/admin';
import type { ClusterRouter } from '@beacon/cluster';
import { MetricsRegistry } from '@beacon/metrics';
import { HealthController, METRICS_ACCESS, READINESS, type Readiness } from '@beacon/ops';
import type { Persistence } from '@beacon/persistence';
import { APP_AUTHENTICATOR, AUDIT_SINK, CachedAuthenticator, PushApiModule } from '@beacon/push-api';
import { ROUTER } from '@beacon/routing';
import type { PushApiConfig } from './config.js';

/** The ports the push API needs, bound for the split deployment: the topic-service is the router. */
@Global()
@Module({})
class PushApiCoreModule {
  static forRoot(
    persistence: Persistence,
    router: ClusterRouter,
    metrics: MetricsRegistry,
    metricsToken: string | undefined,
    secretCacheTtlMs: number,
  ): DynamicModule {
    return {
      module: PushApiCoreModule,
      providers: [
        { provide: MetricsRegistry, useValue: metrics },
        { provide: ROUTER, useValue: router },
        // Secret checks are cached; the app change feed invalidates them on any app change (bootstrap.ts).
        {
          provide: APP_AUTHENTICATOR,
          useValue: new CachedAuthenticator(persistence.apps, secretCacheTtlMs),
        },
        { provide: AUDIT_SINK, useValue: persistence.audit },
        { provide: READINESS, useValue: readiness(persistence, router) },
        { provide: METRICS_ACCESS, useValue: { token: metricsToken } },
      ],
      exports: [MetricsRegistry, ROUTER, APP_AUTHENTICATOR, AUDIT_SINK, READINESS, METRICS_ACCESS],
    };
  }
}

/** Ready when the database answers and the topic-service answers ClusterStats; either failing is not ready. */
function readiness(persistence: Persistence, router: ClusterRouter): Readiness {
  const check = async (probe: () => Promise<unknown>): Promise<string> => {
    try {
      await probe();
      return 'ok';
    } catch (err) {
      return `error: ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  return {
    async check() {
      const [database, topicService] = await Promise.all([
        check(() => persistence.apps.findByKey('__readyz__')),
        check(() => router.clusterStats()),
      ]);
      return { database, topicService };
    },
  };
}

/**
 * The split deployment's push API: REST v1 and the gRPC PushService, the admin API and dashboard, health,
 * readiness and metrics.
 */
@Module({})
export class PushApiAppModule {
  static forRoot(
    config: PushApiConfig,
    persistence: Persistence,
    router: ClusterRouter,
    metrics: MetricsRegistry,
    admin: AdminModuleOptions,
  ): DynamicModule {
    return {
      module: PushApiAppModule,
      imports: [
        PushApiCoreModule.forRoot(persistence, router, metrics, config.metricsToken, config.appCacheTtlMs),
        PushApiModule.forRoot({
          maxMessageBytes: config.maxMessageBytes,
          maxTopicLength: config.maxTopicLength,
        }),
        AdminModule.forRoot(admin),
      ],
      controllers: [HealthController],
    };
  }
}
