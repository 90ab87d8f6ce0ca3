import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import descriptor from 'protobufjs/ext/descriptor/index.js';

interface DescriptorMessage {
  name?: string;
  field?: Array<{ typeName?: string }>;
  nestedType?: DescriptorMessage[];
  options?: { mapEntry?: boolean };
}

/**
 * The grpc.health.v1 package definition, for server reflection. proto-loader (protobufjs) names map
 * entry types after the field ("Statuses") instead of "<Field>Entry" ("StatusesEntry"), and strict
 * reflection clients such as `buf curl` reject the file; the descriptor is corrected here.
 */
export function healthPackageDefinition(): PackageDefinition {
  const pkg = loadSync(protoPath);
  const fixed = new Map<Buffer, Buffer>();
  for (const def of Object.values(pkg) as Array<{ fileDescriptorProtos?: unknown }>) {
    if (!Array.isArray(def.fileDescriptorProtos)) continue;
    def.fileDescriptorProtos = (def.fileDescriptorProtos as Buffer[]).map((bin) => {
      const done = fixed.get(bin);
      if (done !== undefined) return done;
      const file = descriptor.FileDescriptorProto.decode(bin);
      const obj = descriptor.FileDescriptorProto.toObject(file) as { messageType?: DescriptorMessage[] };
      for (const m of obj.messageType ?? []) fixMapEntries(m);
      const out = Buffer.from(
        descriptor.FileDescriptorProto.encode(descriptor.FileDescriptorProto.fromObject(obj)).finish(),
      );
      fixed.set(bin, out);
      return out;
    });
  }
  return pkg;
}

function fixMapEntries(m: DescriptorMessage): void {
  for (const nested of m.nestedType ?? []) {
    fixMapEntries(nested);
    if (nested.options?.mapEntry !== true || nested.name === undefined || nested.name.endsWith('Entry'))
      continue;
    const old = nested.name;
    nested.name = `${old}Entry`;
    for (const f of m.field ?? []) if (f.typeName === old) f.typeName = nested.name;
  }
}
