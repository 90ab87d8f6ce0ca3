import type { DynamicModule, INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { CLUSTER_PROTO, PROTO_LOADER_OPTIONS } from '@beacon/contracts';
import { healthPackageDefinition } from './health-descriptor.js';
import { TopicRouter } from './topic-router.js';

export const TOPIC_SERVICE_NAME = 'beacon.cluster.v1.TopicService';

export interface TopicServiceServerOptions {
  host: string;
  /** A fixed port: gateways reconnect to the same address after a restart. */
  port: number;
  /** Nest's logger: a LoggerService, log levels, or false to silence it. */
  logger?: LoggerService | LogLevel[] | false;
  /** Largest gRPC message accepted (a gateway's snapshot is one message). Default 64 MiB. */
  maxReceiveMessageBytes?: number;
}

export interface RunningTopicService {
  app: INestMicroservice;
  router: TopicRouter;
  health: HealthImplementation;
  /** host:port as bound. */
  address: string;
  /** Health NOT_SERVING, every gateway stream ended with UNAVAILABLE (they reconnect elsewhere or later), server closed. */
  close(): Promise<void>;
}

/**
 * Nest's gRPC transport options for the TopicService, with the standard health service (SERVING for
 * '' and the TopicService) and server reflection registered on the same server.
 */
export function topicServiceGrpcOptions(
  opts: Pick<TopicServiceServerOptions, 'host' | 'port' | 'maxReceiveMessageBytes'>,
  health: HealthImplementation,
): GrpcOptions {
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    transport: Transport.GRPC,
    options: {
      package: 'beacon.cluster.v1',
      protoPath: CLUSTER_PROTO,
      url: `${host}:${opts.port}`,
      loader: PROTO_LOADER_OPTIONS,
      maxReceiveMessageLength: opts.maxReceiveMessageBytes ?? 64 * 1024 * 1024,
      keepalive: { keepaliveTimeMs: 10_000, keepaliveTimeoutMs: 5_000, keepalivePermitWithoutCalls: 1 },
      onLoadPackageDefinition: (pkg: PackageDefinition, server: Server) => {
        health.addToServer(server);
        // Reflection describes the health service too, so `buf curl --reflect` can call both.
        new ReflectionService({ ...pkg, ...healthPackageDefinition() }).addToServer(server);
      },
    },
  };
}

/** Boots `rootModule` (which imports TopicServiceModule) as a gRPC microservice and waits for the bind. */
export async function startTopicService(
  rootModule: DynamicModule,
  opts: TopicServiceServerOptions,
): Promise<RunningTopicService> {
  const health = new HealthImplementation({ '': 'SERVING', [TOPIC_SERVICE_NAME]: 'SERVING' });
  const app = await NestFactory.createMicroservice<GrpcOptions>(rootModule, {
    ...topicServiceGrpcOptions(opts, health),
    logger: opts.logger ?? ['fatal', 'error', 'warn', 'log'],
  });
  await app.listen();
  const router = app.get(TopicRouter);
  let closing: Promise<void> | null = null;
  return {
    app,
    router,
    health,
    address: `${opts.host}:${opts.port}`,
    close() {
      closing ??= (async () => {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(TOPIC_SERVICE_NAME, 'NOT_SERVING');
        router.close();
        await app.close();
      })();
      return closing;
    },
  };
}
