import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import type { GatewayLink } from '@beacon/cluster';
import { APP_DIRECTORY, CachedAppDirectory, GatewayModule, type GatewayHooks } from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import { HealthController, METRICS_ACCESS, READINESS, type Readiness } from '@beacon/ops';
import type { Persistence } from '@beacon/persistence';
import { ROUTER } from '@beacon/routing';
import type { GatewayConfig } from './config.js';

@Global()
@Module({})
class GatewayCoreModule {
  static forRoot(
    persistence: Persistence,
    metrics: MetricsRegistry,
    link: GatewayLink,
    ttlMs: number,
    metricsToken: string | undefined,
    lifecycle: { draining: boolean },
  ): DynamicModule {
    const readiness: Readiness = {
      async check() {
        let database = 'ok';
        try {
          await persistence.apps.findByKey('__readyz__');
        } catch (err) {
          database = `error: ${err instanceof Error ? err.message : String(err)}`;
        }
        // Detached from the topic-service the gateway still serves its clients: degraded, not down.
        return {
          database,
          topicService: link.isAttached ? 'ok' : 'degraded: detached, reconnecting',
          // Draining (SIGTERM): not ready at once, so a load balancer stops sending clients here.
          ...(lifecycle.draining && { drain: 'error: draining' }),
        };
      },
    };
    return {
      module: GatewayCoreModule,
      providers: [
        { provide: MetricsRegistry, useValue: metrics },
        { provide: ROUTER, useValue: link },
        { provide: APP_DIRECTORY, useValue: new CachedAppDirectory(persistence.apps, ttlMs) },
        { provide: READINESS, useValue: readiness },
        { provide: METRICS_ACCESS, useValue: { token: metricsToken } },
      ],
      exports: [MetricsRegistry, ROUTER, APP_DIRECTORY, READINESS, METRICS_ACCESS],
    };
  }
}

/** A gateway of the split deployment: the gateway module, linked to the topic-service, and health. */
@Module({})
export class GatewayAppModule {
  static forRoot(
    config: GatewayConfig,
    persistence: Persistence,
    nodeId: string,
    metrics: MetricsRegistry,
    link: GatewayLink,
    hooks: Array<Type<GatewayHooks>> = [],
    lifecycle: { draining: boolean } = { draining: false },
  ): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [
        GatewayCoreModule.forRoot(
          persistence,
          metrics,
          link,
          config.appCacheTtlMs,
          config.metricsToken,
          lifecycle,
        ),
        GatewayModule.forRoot({
          nodeId,
          limits: config.limits,
          sweepIntervalMs: config.sweepIntervalMs,
          hooks,
          // maxConnections per app across the cluster, counted by the topic-service.
          admission: { useValue: link.admission },
        }),
      ],
      controllers: [HealthController],
    };
  }
}
