// Prisma CLI configuration for the PostgreSQL schema (JS schema engine + driver adapter: works offline).
// Usage: BEACON_DATABASE_URL=postgresql://... npx prisma <command> --config prisma/postgresql/prisma.config.ts
// Migrations use @prisma/adapter-pg 7.x (npm alias pg-adapter-migrate): 6.19's adapter cannot read the `name`
// column type the schema engine queries. The application itself uses @prisma/adapter-pg 6.19.
import { PrismaPg } from 'pg-adapter-migrate';
import { defineConfig } from 'prisma/config';
import { postgresPoolConfig } from '../url.js';
import { reportCharColumnsAsText } from './introspection.js';

const here = new URL('.', import.meta.url);
process.env.BEACON_DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/beacon';
const { pool, schema } = postgresPoolConfig(process.env.BEACON_DATABASE_URL);

if (process.env.BEACON_PRISMA_INTROSPECT === '1') reportCharColumnsAsText();

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: new URL('schema.prisma', here).pathname,
  migrations: { path: new URL('migrations', here).pathname },
  adapter: async () => new PrismaPg(pool, { schema }),
});
