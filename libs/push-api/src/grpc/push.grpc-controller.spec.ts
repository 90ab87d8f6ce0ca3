import 'reflect-metadata';
import { push } from '@beacon/contracts';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../routes.js';
import { GRPC_ACTIONS, PushGrpcController } from './push.grpc-controller.js';

function grpcMethods(): string[] {
  const proto = PushGrpcController.prototype as unknown as Record<string, object>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => name !== 'constructor')
    .flatMap((name) => (Reflect.getMetadata(PATTERN_METADATA, proto[name] as object) ?? []) as unknown[])
    .map((p) => {
      const { service, rpc } = p as { service: string; rpc: string };
      return `/beacon.push.v1.${service}/${rpc}`;
    })
    .sort();
}

describe('the gRPC PushService contract', () => {
  it('the controller implements exactly the RPCs of push.proto', () => {
    const rpcs = Object.values(push.PushServiceService)
      .map((m) => m.path)
      .sort();
    expect(grpcMethods()).toEqual(rpcs);
  });

  it('audits under the REST action names', () => {
    expect(
      Object.keys(GRPC_ACTIONS)
        .map((rpc) => `/beacon.push.v1.PushService/${rpc}`)
        .sort(),
    ).toEqual(grpcMethods());
    expect(Object.values(GRPC_ACTIONS).sort()).toEqual(ROUTES.map((r) => r.action).sort());
  });
});
