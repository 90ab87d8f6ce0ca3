import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { AdminModule, type AdminModuleOptions } from '@beacon/admin';
import { APP_DIRECTORY, CachedAppDirectory, GatewayModule, type GatewayHooks } from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import type { Persistence } from '@beacon/persistence';
import { APP_AUTHENTICATOR, AUDIT_SINK, CachedAuthenticator, PushApiModule } from '@beacon/push-api';
import { LocalRouter, ROUTER } from '@beacon/routing';
import type { BeaconConfig } from './config.js';
import { HealthController, METRICS_ACCESS, READINESS, type Readiness } from '@beacon/ops';
import { BEACON_CONFIG } from './tokens.js';

/** The ports every part needs, bound once for the single-process platform. */
@Global()
@Module({})
class CoreModule {
  static forRoot(
    config: BeaconConfig,
    persistence: Persistence,
    nodeId: string,
    metrics: MetricsRegistry,
  ): DynamicModule {
    const apps = new CachedAppDirectory(persistence.apps, config.appCacheTtlMs);
    const readiness: Readiness = {
      async check() {
        try {
          await persistence.apps.findByKey('__readyz__');
          return { database: 'ok' };
        } catch (err) {
          return { database: `error: ${err instanceof Error ? err.message : String(err)}` };
        }
      },
    };
    return {
      module: CoreModule,
      providers: [
        { provide: BEACON_CONFIG, useValue: config },
        { provide: MetricsRegistry, useValue: metrics },
        { provide: ROUTER, useValue: new LocalRouter(nodeId) },
        { provide: APP_DIRECTORY, useValue: apps },
        {
          provide: APP_AUTHENTICATOR,
          useValue: new CachedAuthenticator(persistence.apps, Math.min(config.appCacheTtlMs, 1000)),
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
  ): DynamicModule {
    return {
      module: BeaconModule,
      imports: [
        CoreModule.forRoot(config, persistence, nodeId, metrics),
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
