import { Module, type DynamicModule } from '@nestjs/common';
import { ADMIN_OPTIONS, type AdminModuleOptions } from './admin.options.js';
import { CONNECTION_DIRECTORY, LIVE_STATS, TOPIC_DIRECTORY } from './ports.js';

/**
 * The admin capability's ports and options in Nest. The routes themselves are registered on the Fastify
 * instance by serveAdmin (serve.ts), from ADMIN_ROUTES, like the push API's.
 */
@Module({})
export class AdminModule {
  static forRoot(options: AdminModuleOptions): DynamicModule {
    return {
      module: AdminModule,
      providers: [
        { provide: ADMIN_OPTIONS, useValue: options },
        { provide: LIVE_STATS, useValue: options.liveStats },
        { provide: TOPIC_DIRECTORY, useValue: options.topics },
        { provide: CONNECTION_DIRECTORY, useValue: options.connections },
      ],
      exports: [ADMIN_OPTIONS, LIVE_STATS, TOPIC_DIRECTORY, CONNECTION_DIRECTORY],
    };
  }
}
