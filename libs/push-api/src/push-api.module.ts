import {
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type ModuleMetadata,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppAuthGuard } from './app-auth.guard.js';
import { AuditMiddleware } from './audit.middleware.js';
import { OpenApiController } from './openapi.controller.js';
import { PUSH_API_OPTIONS, type PushApiOptions } from './ports.js';
import { ProblemFilter } from './problem.filter.js';
import { PushController } from './push.controller.js';

export interface PushApiModuleOptions extends PushApiOptions {
  /** Modules exporting ROUTER, APP_AUTHENTICATOR and AUDIT_SINK, when they are not global. */
  imports?: ModuleMetadata['imports'];
}

/** REST push API v1 with per-app auth, audit of every call, problem responses and OpenAPI. */
@Module({})
export class PushApiModule implements NestModule {
  static forRoot(options: PushApiModuleOptions): DynamicModule {
    return {
      module: PushApiModule,
      imports: options.imports ?? [],
      controllers: [PushController, OpenApiController],
      providers: [
        { provide: PUSH_API_OPTIONS, useValue: options },
        AppAuthGuard,
        AuditMiddleware,
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes(PushController);
  }
}
