import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { StatsHub } from '@beacon/stats';
import { ClusterAuth } from './cluster-auth.js';
import { createStatsHub, StatsController } from './stats.controller.js';
import type { TopicServiceOptions } from './options.js';
import { TopicServiceController } from './topic-service.controller.js';
import { TopicRouter } from './topic-router.js';

/** The topic-service as a Nest module; `TopicRouter` is exported for composition roots and tests. */
@Module({})
export class TopicServiceModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(TopicRouter) private readonly router: TopicRouter,
    @Inject(StatsHub) private readonly stats: StatsHub,
  ) {}

  static forRoot(options: Partial<TopicServiceOptions> = {}): DynamicModule {
    return {
      module: TopicServiceModule,
      controllers: [TopicServiceController, StatsController],
      providers: [
        { provide: ClusterAuth, useValue: new ClusterAuth(options.clusterToken) },
        {
          provide: TopicRouter,
          useFactory: () => new TopicRouter(options, { logger: new Logger('TopicService') }),
        },
        // The dashboard's statistics and directories: one aggregation for every watcher.
        {
          provide: StatsHub,
          useFactory: (router: TopicRouter) => createStatsHub(router),
          inject: [TopicRouter],
        },
      ],
      exports: [TopicRouter, StatsHub],
    };
  }

  onModuleInit(): void {
    this.router.start();
    this.stats.start();
  }

  onApplicationShutdown(): void {
    this.stats.stop();
    this.router.close();
  }
}
