// Used only by `node prisma/migration.mjs` (BEACON_PRISMA_INTROSPECT=1) to run `prisma db pull` on PostgreSQL:
// the catalog queries return `"char"` (oid 18) columns, which no @prisma/adapter-pg release can deserialize.
// Reporting them as text lets introspection finish; it never runs in the application or in `migrate deploy`.
import pg from 'pg';

const CHAR_OID = 18;
const TEXT_OID = 25;

type AddFields = (this: unknown, fields: Array<{ dataTypeID: number }>) => void;

export function reportCharColumnsAsText(): void {
  const proto = pg.Result.prototype as unknown as { addFields: AddFields; __beaconPatched?: boolean };
  if (proto.__beaconPatched === true) return;
  const original = proto.addFields;
  proto.addFields = function (this: unknown, fields) {
    for (const f of fields) if (f.dataTypeID === CHAR_OID) f.dataTypeID = TEXT_OID;
    original.call(this, fields);
  };
  proto.__beaconPatched = true;
}
