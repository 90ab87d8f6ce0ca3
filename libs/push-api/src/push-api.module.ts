import {
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type ModuleMetadata,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { AppAuthGuard } from './app-auth.guard.js';
import { AuditMiddleware } from './audit.middleware.js';
import { GrpcCalls } from './grpc/grpc-calls.js';
import { PushGrpcController } from './grpc/push.grpc-controller.js';
import { OpenApiController } from './openapi.controller.js';
import { PUSH_API_OPTIONS, type PushApiOptions } from './ports.js';
import { PushApiException } from './push-api.exception.js';
import { ProblemFilter, sendProblem } from './problem.filter.js';
import { PushController } from './push.controller.js';

export interface PushApiModuleOptions extends PushApiOptions {
  /** Modules exporting ROUTER, APP_AUTHENTICATOR and AUDIT_SINK, when they are not global. */
  imports?: ModuleMetadata['imports'];
}

/**
 * REST push API v1 with per-app auth, audit of every call, problem responses and OpenAPI, and the same
 * operations as the gRPC PushService (served when the app connects the gRPC transport: pushGrpcOptions).
 */
@Module({})
export class PushApiModule implements NestModule {
  static forRoot(options: PushApiModuleOptions): DynamicModule {
    return {
      module: PushApiModule,
      imports: options.imports ?? [],
      controllers: [PushController, OpenApiController, PushGrpcController],
      providers: [
        { provide: PUSH_API_OPTIONS, useValue: options },
        AppAuthGuard,
        AuditMiddleware,
        GrpcCalls,
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes(PushController);
  }
}

/**
 * The JSON body parser for the REST routes (Nest's own is off: `bodyParser: false`), its failures answered as
 * problems: too large 413, malformed 400, bad charset 415. For every app serving PushApiModule over HTTP:
 * `app.use(...pushApiBodyParser(maxMessageBytes))`.
 */
export function pushApiBodyParser(maxMessageBytes: number): [RequestHandler, ErrorRequestHandler] {
  return [
    express.json({ limit: maxMessageBytes + 16 * 1024 }),
    (err, req, res, next) => {
      const status = (err as { status?: number }).status;
      if (status === 413)
        return sendProblem(req, res, new PushApiException('payload_too_large', 'request body too large'));
      if (status === 400)
        return sendProblem(
          req,
          res,
          new PushApiException('invalid_request', 'request body is not valid JSON'),
        );
      if (status === 415)
        return sendProblem(req, res, new PushApiException('unsupported_media_type', 'unsupported charset'));
      next(err);
    },
  ];
}
