import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ClusterAuth } from './cluster-auth.js';
import type { TopicServiceOptions } from './options.js';
import { TopicServiceController } from './topic-service.controller.js';
import { TopicRouter } from './topic-router.js';

/** The topic-service as a Nest module; `TopicRouter` is exported for composition roots and tests. */
@Module({})
export class TopicServiceModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(TopicRouter) private readonly router: TopicRouter) {}

  static forRoot(options: Partial<TopicServiceOptions> = {}): DynamicModule {
    return {
      module: TopicServiceModule,
      controllers: [TopicServiceController],
      providers: [
        { provide: ClusterAuth, useValue: new ClusterAuth(options.clusterToken) },
        {
          provide: TopicRouter,
          useFactory: () => new TopicRouter(options, { logger: new Logger('TopicService') }),
        },
      ],
      exports: [TopicRouter],
    };
  }

  onModuleInit(): void {
    this.router.start();
  }

  onApplicationShutdown(): void {
    this.router.close();
  }
}
