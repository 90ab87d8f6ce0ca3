import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { MetricsRegistry } from '@beacon/metrics';
import { ROUTER, type ConnectionAdmission, type Router } from '@beacon/routing';
import { APP_DIRECTORY, type AppDirectory } from './app-directory.js';
import { ClientGateway } from './client-gateway.js';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options.js';
import { permissionHooks } from './hook-chain.js';
import { GATEWAY_HOOKS, type GatewayHooks } from './hooks.js';
import { WsGateway } from './ws.gateway.js';

export interface GatewayModuleOptions extends GatewayOptions {
  nodeId: string;
  /** Hook classes (Nest providers, so they can inject), run in order after the built-in permission hooks. */
  hooks?: Array<Type<GatewayHooks>>;
  /** How each app's maxConnections is counted: LocalAdmission (this node) unless given (a cluster's). */
  admission?: ConnectionAdmission;
  /** Modules exporting ROUTER, APP_DIRECTORY and MetricsRegistry, when they are not global. */
  imports?: ModuleMetadata['imports'];
}

/**
 * The WebSocket gateway as a reusable module. Needs ROUTER, APP_DIRECTORY and MetricsRegistry from the
 * composition root; exports ClientGateway (the node's hub, counts, disconnects).
 */
@Module({})
export class GatewayModule {
  static forRoot(options: GatewayModuleOptions): DynamicModule {
    const hookTypes = options.hooks ?? [];
    return {
      module: GatewayModule,
      imports: options.imports ?? [],
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: options },
        ...hookTypes,
        {
          provide: GATEWAY_HOOKS,
          useFactory: (...custom: GatewayHooks[]): GatewayHooks[] => [permissionHooks, ...custom],
          inject: hookTypes,
        },
        {
          provide: ClientGateway,
          useFactory: (
            apps: AppDirectory,
            router: Router,
            hooks: GatewayHooks[],
            metrics: MetricsRegistry,
          ): ClientGateway =>
            new ClientGateway(
              options.nodeId,
              options.limits,
              apps,
              router,
              hooks,
              metrics,
              options.admission,
            ),
          inject: [APP_DIRECTORY, ROUTER, GATEWAY_HOOKS, MetricsRegistry],
        },
        WsGateway,
      ],
      exports: [ClientGateway],
    };
  }
}
