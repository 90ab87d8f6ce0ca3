import type { PackageDefinition } from '@grpc/proto-loader';
import descriptor, {
  type IDescriptorProto,
  type IFileDescriptorProto,
} from 'protobufjs/ext/descriptor/index.js';

/**
 * proto-loader (protobufjs) names a map field's entry type after the field (`Statuses`) where protoc names it
 * `<Field>Entry` (`StatusesEntry`). Strict descriptor builders (Go's protodesc, hence `buf curl --reflect`)
 * reject such a file, which hides e.g. grpc.health.v1.Health (its List reply has a map). This returns the
 * definition with every file descriptor's map entries renamed the protoc way, for the reflection service.
 */
export function withProtocMapEntryNames(pkg: PackageDefinition): PackageDefinition {
  const fixed = new Map<Buffer, Buffer>();
  const fix = (bin: Buffer): Buffer => {
    let out = fixed.get(bin);
    if (out === undefined) {
      const file = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(bin));
      const f = file as IFileDescriptorProto;
      f.messageType?.forEach(renameMapEntries);
      out = Buffer.from(
        descriptor.FileDescriptorProto.encode(descriptor.FileDescriptorProto.fromObject(f)).finish(),
      );
      fixed.set(bin, out);
    }
    return out;
  };
  return Object.fromEntries(
    Object.entries(pkg).map(([name, def]) => {
      if (!('fileDescriptorProtos' in def) || !Array.isArray(def.fileDescriptorProtos)) return [name, def];
      return [name, { ...def, fileDescriptorProtos: def.fileDescriptorProtos.map(fix) }];
    }),
  ) as PackageDefinition;
}

function renameMapEntries(msg: IDescriptorProto): void {
  for (const nested of msg.nestedType ?? []) renameMapEntries(nested);
  for (const field of msg.field ?? []) {
    const typeName = field.typeName ?? '';
    const last = typeName.slice(typeName.lastIndexOf('.') + 1);
    const entry = msg.nestedType?.find((n) => n.options?.mapEntry === true && n.name === last);
    if (entry === undefined || field.name === undefined) continue;
    const protocName = `${pascal(field.name)}Entry`;
    entry.name = protocName;
    field.typeName = typeName.slice(0, typeName.length - last.length) + protocName;
  }
}

/** protoc's map entry naming: `statuses` -> `Statuses`, `by_user_id` -> `ByUserId`. */
function pascal(fieldName: string): string {
  return fieldName
    .split('_')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
