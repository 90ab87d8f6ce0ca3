import { loadSync } from '@grpc/proto-loader';
import { protoPath as HEALTH_PROTO } from 'grpc-health-check';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { describe, expect, it } from 'vitest';
import { withProtocMapEntryNames } from './reflection-descriptors.js';

describe('reflection descriptors', () => {
  it('names map entry types the protoc way, so strict clients (buf curl) accept the file', () => {
    const fixed = withProtocMapEntryNames(loadSync(HEALTH_PROTO, { keepCase: true }));
    const def = fixed['grpc.health.v1.HealthListResponse'] as { fileDescriptorProtos: Buffer[] };
    const file = descriptor.FileDescriptorProto.decode(def.fileDescriptorProtos[0] as Buffer) as unknown as {
      messageType: Array<{
        name: string;
        nestedType: Array<{ name: string }>;
        field: Array<{ typeName: string }>;
      }>;
    };
    const list = file.messageType.find((m) => m.name === 'HealthListResponse');
    expect(list?.nestedType.map((n) => n.name)).toEqual(['StatusesEntry']);
    expect(list?.field[0]?.typeName).toMatch(/(^|\.)StatusesEntry$/);
  });
});
