import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { persistenceContract } from './persistence.contract.js';

const baseUrl = process.env.BEACON_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

persistenceContract('PostgreSQL', 'postgresql', async () => {
  const schema = `beacon_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  return {
    databaseUrl: url.toString(),
    dump: async () => {
      const { rows } = await admin.query<{ t: string }>(
        `SELECT string_agg(row_to_json(r)::text, E'\\n') AS t FROM (
           SELECT 'apps' AS tbl, to_jsonb(a) AS v FROM "${schema}".apps a
           UNION ALL SELECT 'app_secrets', to_jsonb(s) FROM "${schema}".app_secrets s
           UNION ALL SELECT 'operators', to_jsonb(o) FROM "${schema}".operators o
           UNION ALL SELECT 'audit_records', to_jsonb(x) FROM "${schema}".audit_records x) r`,
      );
      return rows[0]?.t ?? '';
    },
    cleanup: async () => {
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
});
