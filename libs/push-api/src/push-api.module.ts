import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GrpcCalls } from './grpc/grpc-calls.js';
import { PushGrpcController } from './grpc/push.grpc-controller.js';
import { OpenApiController } from './openapi.controller.js';
import { PUSH_API_OPTIONS, type PushApiOptions } from './ports.js';
import { ProblemFilter } from './problem.filter.js';

export interface PushApiModuleOptions extends PushApiOptions {
  /** Modules exporting ROUTER, APP_AUTHENTICATOR and AUDIT_SINK, when they are not global. */
  imports?: ModuleMetadata['imports'];
}

/**
 * Push API v1: the gRPC PushService (a Nest microservice controller), the OpenAPI document and problem
 * responses for the app's Nest routes. The REST routes themselves are registered on the Fastify instance
 * by servePushApi (serve.ts), from the same route table, with per-app auth and audit of every call.
 */
@Module({})
export class PushApiModule {
  static forRoot(options: PushApiModuleOptions): DynamicModule {
    return {
      module: PushApiModule,
      imports: options.imports ?? [],
      controllers: [OpenApiController, PushGrpcController],
      providers: [
        { provide: PUSH_API_OPTIONS, useValue: options },
        GrpcCalls,
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
