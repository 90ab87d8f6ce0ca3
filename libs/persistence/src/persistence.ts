import Database from 'better-sqlite3';
import { AppChangeFeed } from './app-changes.js';
import { AppsRepository } from './apps.repository.js';
import { AuditLog, type AuditLogOptions } from './audit-log.js';
import { PrismaAuditStore } from './audit-store.js';
import { parseDatabaseUrl, type Provider } from './database-url.js';
import { migrate } from './migrate.js';
import { OperatorSessionsRepository } from './operator-sessions.repository.js';
import { OperatorsRepository } from './operators.repository.js';
import { createPrismaClient, type Db } from './prisma-client.js';
import { loadMasterKey, SecretBox } from './secret-box.js';
import { SignInFailuresRepository } from './sign-in-failures.repository.js';

export interface PersistenceOptions {
  /** `file:<path>` (SQLite) or `postgres(ql)://…[?schema=name]` (PostgreSQL). */
  databaseUrl: string;
  /** Holds `secret.key` when no secretKey is given (and, by default, the SQLite file). */
  dataDir: string;
  /** Master key for app-secret encryption: 32 bytes as base64 or hex (BEACON_SECRET_KEY). */
  secretKey?: string;
  audit?: Pick<
    AuditLogOptions,
    'maxQueue' | 'batchSize' | 'flushIntervalMs' | 'retryBaseMs' | 'onWriteError' | 'windowMs' | 'maxTallies'
  >;
  /** Apply the committed migrations before opening (default false: the app calls migrate() at boot). */
  migrate?: boolean;
}

/** The persistence capability: one Prisma client and the repositories over it. */
export class Persistence {
  apps: AppsRepository;
  changes: AppChangeFeed;
  operators: OperatorsRepository;
  sessions: OperatorSessionsRepository;
  signInFailures: SignInFailuresRepository;
  audit: AuditLog;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly provider: Provider,
    private readonly db: Db,
    box: SecretBox,
    auditOptions: AuditLogOptions,
    private readonly probe: SqliteProbe | undefined,
  ) {
    this.apps = new AppsRepository(db, box);
    this.changes = new AppChangeFeed(db, probe?.run);
    this.operators = new OperatorsRepository(db);
    this.sessions = new OperatorSessionsRepository(db);
    this.signInFailures = new SignInFailuresRepository(db);
    this.audit = new AuditLog(new PrismaAuditStore(db, provider), auditOptions);
  }

  static async open(opts: PersistenceOptions): Promise<Persistence> {
    const target = parseDatabaseUrl(opts.databaseUrl);
    const box = new SecretBox(loadMasterKey(opts.dataDir, opts.secretKey));
    if (opts.migrate === true) await migrate({ databaseUrl: opts.databaseUrl });
    const db = await createPrismaClient(target);
    const probe = target.provider === 'sqlite' ? sqliteProbe(target.file) : undefined;
    return new Persistence(target.provider, db, box, opts.audit ?? {}, probe);
  }

  /** Flushes the audit log, then disconnects. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.audit.close();
      } finally {
        this.probe?.close();
        await this.db.$disconnect();
      }
    })();
    return this.closing;
  }
}

interface SqliteProbe {
  run(seq: number): { count: number; max: number };
  close(): void;
}

/**
 * The change feed's probe (app-changes.ts) on a read-only connection of its own (WAL lets it read beside
 * Prisma's), opened and prepared at its first use, after the app has migrated the file.
 */
function sqliteProbe(file: string): SqliteProbe {
  let conn: Database.Database | undefined;
  let stmt: Database.Statement<[number], { n: number; m: number | null }> | undefined;
  return {
    run(seq) {
      if (stmt === undefined) {
        const c = new Database(file, { readonly: true, fileMustExist: true });
        try {
          stmt = c.prepare('SELECT COUNT(*) AS n, MAX(seq) AS m FROM app_changes WHERE seq > ?');
        } catch (err) {
          c.close();
          throw err;
        }
        conn = c;
      }
      const r = stmt.get(seq);
      return { count: r?.n ?? 0, max: r?.m ?? 0 };
    },
    close: () => conn?.close(),
  };
}
