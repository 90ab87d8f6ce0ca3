import {
  Module,
  type ClassProvider,
  type DynamicModule,
  type ExistingProvider,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
  type Type,
  type ValueProvider,
} from '@nestjs/common';
import { MetricsRegistry } from '@beacon/metrics';
import {
  LocalAdmission,
  ROUTER,
  systemClock,
  type Clock,
  type ConnectionAdmission,
  type GatewayRouter,
} from '@beacon/routing';
import { APP_DIRECTORY, type AppDirectory } from './app-directory.js';
import { ClientGateway } from './client-gateway.js';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options.js';
import { permissionHooks } from './hook-chain.js';
import { GATEWAY_HOOKS, type GatewayHooks } from './hooks.js';
import { WsGateway } from './ws.gateway.js';

/** Where the gateway's ConnectionAdmission comes from: a Nest provider without its `provide`. */
export type AdmissionProvider =
  | Omit<ValueProvider<ConnectionAdmission>, 'provide'>
  | Omit<FactoryProvider<ConnectionAdmission>, 'provide'>
  | Omit<ClassProvider<ConnectionAdmission>, 'provide'>
  | Omit<ExistingProvider<ConnectionAdmission>, 'provide'>;

/** The ConnectionAdmission the gateway uses (bound by GatewayModule.forRoot). */
export const CONNECTION_ADMISSION = Symbol('CONNECTION_ADMISSION');

export interface GatewayModuleOptions extends GatewayOptions {
  nodeId: string;
  /** Hook classes (Nest providers, so they can inject), run in order after the built-in permission hooks. */
  hooks?: Array<Type<GatewayHooks>>;
  /**
   * Per-app connection slots (`maxConnections`). Default: `new LocalAdmission()`, this process's
   * connections; a cluster gateway injects one that counts every gateway's, e.g.
   * `{ useFactory: (link) => new ClusterAdmission(link), inject: [ROUTER] }` or `{ useExisting: TOKEN }`.
   */
  admission?: AdmissionProvider;
  /** Every time read and timer of the gateway (token expiry, heartbeats, deadlines); default the system clock. */
  clock?: Clock;
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
        {
          provide: CONNECTION_ADMISSION,
          ...(options.admission ?? { useFactory: (): ConnectionAdmission => new LocalAdmission() }),
        } as Provider<ConnectionAdmission>,
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
            router: GatewayRouter,
            hooks: GatewayHooks[],
            metrics: MetricsRegistry,
            admission: ConnectionAdmission,
          ): ClientGateway =>
            new ClientGateway(
              options.nodeId,
              options.limits,
              apps,
              router,
              hooks,
              metrics,
              admission,
              options.clock ?? systemClock,
            ),
          inject: [APP_DIRECTORY, ROUTER, GATEWAY_HOOKS, MetricsRegistry, CONNECTION_ADMISSION],
        },
        WsGateway,
      ],
      exports: [ClientGateway],
    };
  }
}
