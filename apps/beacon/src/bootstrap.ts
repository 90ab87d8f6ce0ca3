import { fileURLToPath } from 'node:url';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from '@nestjs/common';
import {
  ADMIN_OPTIONS,
  DASHBOARD_PATH,
  ensureFirstAdmin,
  serveAdminOn,
  lateBoundPorts,
  type AdminModuleOptions,
  type ConnectionDirectory,
  type LiveStats,
  type TopicDirectory,
} from '@beacon/admin';
import { BeaconWsAdapter, ClientGateway, type GatewayHooks } from '@beacon/gateway';
import { MetricsRegistry } from '@beacon/metrics';
import { BeaconLogger, httpAdapter, isLoopback, listenHttp } from '@beacon/ops';
import {
  migrate,
  Persistence,
  registerAuditMetrics,
  watchApps,
  type AppChangeWatcher,
  type IssuedTokenKey,
} from '@beacon/persistence';
import { APP_AUTHENTICATOR, CachedAuthenticator, servePushApi } from '@beacon/push-api';
import { newNodeId, ROUTER, type Router } from '@beacon/routing';
import { localAdminSources } from '@beacon/stats';
import { BeaconModule } from './app.module.js';
import { CHAT_DEMO_PATH, DEFAULT_CHAT_DEMO_DIR, ensureChatSettings, serveChatDemo } from './chat-demo.js';
import type { BeaconConfig } from './config.js';

export interface RunningBeacon {
  app: NestFastifyApplication;
  /** http://host:port, with 127.0.0.1 for a wildcard bind. */
  url: string;
  port: number;
  /** gRPC PushService address (`host:port`, 127.0.0.1 for a wildcard bind), or null when BEACON_GRPC_PORT=off. */
  grpcAddress: string | null;
  nodeId: string;
  /**
   * Set on the installation's first run, which created the development app: the secrets it generated are
   * shown this once (null where BEACON_DEV_APP_SECRET / _TOKEN_KEY supplied them: never echoed back).
   */
  createdDevApp: {
    key: string;
    secret: string | null;
    tokenKey: { kid: string; secret: string | null };
    /** Anonymous clients and client publish: on for a loopback bind only. */
    open: boolean;
  } | null;
  /**
   * Set on the first start with no operator, which created an admin: its email and the generated password,
   * shown this once (null when BEACON_ADMIN_PASSWORD supplied it: never echoed back).
   */
  createdAdmin: { email: string; password: string | null } | null;
  /** Where the dashboard is served. */
  dashboardUrl: string;
  /** Where the chat demo is served; null when it is off (BEACON_CHAT_DEMO=off, or no development app). */
  chatDemoUrl: string | null;
  /** The app change feed's watcher (tests poll it to skip the interval). */
  appChanges: AppChangeWatcher;
  persistence: Persistence;
  metrics: MetricsRegistry;
  close(): Promise<void>;
}

const CHAT_PATTERN_NOTE = "presence 'chat/*' and history 'chat/*:100:3600'";

export interface StartOptions {
  /** Gateway hook classes (Nest providers), run after the built-in permission hooks. */
  hooks?: Array<Type<GatewayHooks>>;
  /** Implementations of the admin ports (tests pass fakes); default: libs/stats over this process's gateway. */
  admin?: Partial<{ liveStats: LiveStats; topics: TopicDirectory; connections: ConnectionDirectory }>;
  /** The admin API's clock (tests move it to expire sessions). */
  adminNow?: () => number;
}

/** The built dashboard of this checkout (apps/dashboard/dist), unless BEACON_DASHBOARD_DIR says otherwise. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

/**
 * Starts the single-process platform: migrations, first-run app and admin, gateway, push API (REST and gRPC),
 * admin API and dashboard, health.
 */
export async function startBeacon(config: BeaconConfig, options: StartOptions = {}): Promise<RunningBeacon> {
  await migrate({ databaseUrl: config.databaseUrl });
  const persistence = await Persistence.open({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    secretKey: config.secretKey,
    audit: config.audit,
  });
  try {
    // On a loopback bind the development app is open (anonymous clients, client publish) so the quick start
    // works at once; bound to the network it needs tokens like any other app.
    const open = isLoopback(config.host) || config.host === 'localhost';
    const dev = await persistence.apps.ensureDevApp({
      key: config.devApp.key,
      secret: config.devApp.secret,
      tokenKey: config.devApp.tokenKey,
      settings: { allowAnonymous: open, clientPublish: open },
    });
    const createdAdmin = await ensureFirstAdmin(persistence, config.admin.firstAdmin);
    const nodeId = newNodeId();
    const metrics = new MetricsRegistry({ processMetrics: true });
    registerAuditMetrics(metrics, persistence.audit);
    // The admin ports read the gateway's hub (libs/stats), which exists once Nest built the app: bound below.
    const late = lateBoundPorts();
    const adminOptions: AdminModuleOptions = {
      ...late.ports,
      ...options.admin,
      settings: config.admin.settings,
      ...(options.adminNow !== undefined && { now: options.adminNow }),
    };

    const lifecycle = { draining: false };
    const app = await NestFactory.create<NestFastifyApplication>(
      BeaconModule.forRoot(config, persistence, nodeId, metrics, adminOptions, options.hooks, lifecycle),
      httpAdapter(),
      { bodyParser: false, logger: new BeaconLogger(config.logLevel) },
    );
    app.useWebSocketAdapter(new BeaconWsAdapter(app, { maxPayload: config.limits.maxFrameBytes }));
    const sources = localAdminSources(app.get(ClientGateway, { strict: false }));
    late.bind(sources);
    const grpc = await servePushApi(app, {
      host: config.host,
      grpcPort: config.grpcPort,
    });
    const adminLog = new Logger('Admin');
    await serveAdminOn(app.getHttpAdapter().getInstance(), {
      options: app.get<symbol, AdminModuleOptions>(ADMIN_OPTIONS, { strict: false }),
      store: persistence,
      router: app.get<symbol, Router>(ROUTER, { strict: false }),
      dashboardDir: config.admin.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
      maxTopicLength: config.limits.maxTopicLength,
      logError: (m) => adminLog.error(m),
    });
    const devKey = dev.app?.key ?? null;
    const demo = config.chatDemo.enabled && devKey !== null && dev.app?.enabled === true;
    if (demo) {
      const done = await ensureChatSettings(persistence, devKey);
      if (done === 'operator')
        adminLog.warn(
          `chat demo: the development app has presence or history settings of its own; add ${CHAT_PATTERN_NOTE} for the demo's rooms`,
        );
      await serveChatDemo(app.getHttpAdapter().getInstance(), {
        persistence,
        router: app.get<symbol, Router>(ROUTER, { strict: false }),
        appKey: devKey,
        distDir: config.chatDemo.dir ?? DEFAULT_CHAT_DEMO_DIR,
      });
    }
    const { port, url } = await listenHttp(app, config.port, config.host);
    const appChanges = await watchAppChanges(persistence, app, config.appChangePollMs);
    return {
      app,
      url,
      port,
      grpcAddress: grpc,
      nodeId,
      createdDevApp: dev.created && dev.app !== null ? devAppShown(config, dev.app.key, dev, open) : null,
      createdAdmin,
      dashboardUrl: `${url}${DASHBOARD_PATH}`,
      chatDemoUrl: demo ? `${url}${CHAT_DEMO_PATH}` : null,
      persistence,
      metrics,
      appChanges,
      async close() {
        // Drain first (readiness 503, drain frames, close 1012, wait up to BEACON_DRAIN_MS), then stop.
        lifecycle.draining = true;
        await app.get(ClientGateway, { strict: false }).drain();
        await appChanges.stop();
        await app.close();
        sources.stop();
        await persistence.close();
      },
    };
  } catch (err) {
    await persistence.close();
    throw err;
  }
}

function devAppShown(
  config: BeaconConfig,
  key: string,
  dev: { secret?: string; tokenKey?: IssuedTokenKey },
  open: boolean,
): NonNullable<RunningBeacon['createdDevApp']> {
  return {
    key,
    secret: config.devApp.secret === undefined ? (dev.secret ?? null) : null,
    tokenKey: {
      kid: dev.tokenKey?.kid ?? '',
      secret: config.devApp.tokenKey === undefined ? (dev.tokenKey?.secret ?? null) : null,
    },
    open,
  };
}

/**
 * Polls the app change feed: on any change to any app (made by this process, the CLI or another node) the
 * push API forgets its cached secret checks and the gateway reconciles that app's open connections.
 */
function watchAppChanges(
  persistence: Persistence,
  app: NestFastifyApplication,
  intervalMs: number,
): Promise<AppChangeWatcher> {
  const gateway = app.get(ClientGateway, { strict: false });
  const authenticator: unknown = app.get(APP_AUTHENTICATOR, { strict: false });
  return watchApps(persistence.changes, {
    intervalMs,
    invalidate: () => {
      if (authenticator instanceof CachedAuthenticator) authenticator.invalidate();
    },
    reconcile: (appId, appKey) => gateway.reconcileApp(appId, appKey),
    log: new Logger('AppChanges'),
  });
}
