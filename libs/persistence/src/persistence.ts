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
  audit: AuditLog;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly provider: Provider,
    private readonly db: Db,
    box: SecretBox,
    auditOptions: AuditLogOptions,
  ) {
    this.apps = new AppsRepository(db, box);
    this.changes = new AppChangeFeed(db);
    this.operators = new OperatorsRepository(db);
    this.sessions = new OperatorSessionsRepository(db);
    this.audit = new AuditLog(new PrismaAuditStore(db, provider), auditOptions);
  }

  static async open(opts: PersistenceOptions): Promise<Persistence> {
    const target = parseDatabaseUrl(opts.databaseUrl);
    const box = new SecretBox(loadMasterKey(opts.dataDir, opts.secretKey));
    if (opts.migrate === true) await migrate({ databaseUrl: opts.databaseUrl });
    const db = await createPrismaClient(target);
    return new Persistence(target.provider, db, box, opts.audit ?? {});
  }

  /** Flushes the audit log, then disconnects. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.audit.close();
      } finally {
        await this.db.$disconnect();
      }
    })();
    return this.closing;
  }
}
