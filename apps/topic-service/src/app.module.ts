import { Module, type DynamicModule } from '@nestjs/common';
import { TopicServiceModule } from '@beacon/topic-service';
import type { TopicServiceConfig } from './config.js';

/** Composition root of the topic-service process: the TopicServiceModule with the parsed config. */
@Module({})
export class AppModule {
  static forRoot(config: TopicServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TopicServiceModule.forRoot({
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          livenessTimeoutMs: config.livenessTimeoutMs,
          commandTimeoutMs: config.commandTimeoutMs,
          history: config.history,
          clusterToken: config.clusterToken,
        }),
      ],
    };
  }
}
