import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/pg/persistence.contract.js';
import { AuditLog, type AuditRow, type AuditStore } from './audit-log.js';
import { migrate } from './migrate.js';
import { Persistence } from './persistence.js';

class FakeStore implements AuditStore {
  batches: AuditRow[][] = [];
  failuresLeft = 0;
  pending: Array<() => void> = [];
  hold = false;

  async insertMany(rows: AuditRow[]): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.pending.push(resolve));
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('database down');
    }
    this.batches.push(rows);
  }

  async find(): Promise<never[]> {
    return [];
  }
}

const entry = (i: number) => ({ actor: 'spec', action: `a.${i}`, result: 'ok' });

describe('AuditLog', () => {
  const logs: AuditLog[] = [];
  const make = (store: AuditStore, opts: ConstructorParameters<typeof AuditLog>[1]) => {
    const log = new AuditLog(store, opts);
    logs.push(log);
    return log;
  };
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((l) => l.close()));
  });

  it('writes N records in batches of batchSize', async () => {
    const store = new FakeStore();
    const log = make(store, { batchSize: 10, flushIntervalMs: 10 });
    for (let i = 0; i < 35; i++) log.record(entry(i));
    await waitFor(() => log.stats().written === 35);
    expect(store.batches.map((b) => b.length)).toEqual([10, 10, 10, 5]);
    expect(store.batches.flat().map((r) => r.action)).toEqual(Array.from({ length: 35 }, (_, i) => `a.${i}`));
    expect(log.stats()).toEqual({ queued: 0, written: 35, dropped: 0, failed: 0, batches: 4 });
  });

  it('drops and counts entries that find the queue full', async () => {
    const store = new FakeStore();
    store.hold = true;
    const log = make(store, { maxQueue: 5, batchSize: 100, flushIntervalMs: 60_000 });
    for (let i = 0; i < 8; i++) log.record(entry(i));
    expect(log.stats()).toMatchObject({ queued: 5, dropped: 3 });
    store.hold = false;
    await log.flush();
    expect(log.stats()).toMatchObject({ queued: 0, written: 5, dropped: 3, failed: 0 });
  });

  it('counts a batch it gives up on as failed, without throwing', async () => {
    const store = new FakeStore();
    store.failuresLeft = Number.POSITIVE_INFINITY;
    const errors: number[] = [];
    const log = make(store, {
      flushIntervalMs: 60_000,
      retryBaseMs: 1,
      onWriteError: (_e, n) => errors.push(n),
    });
    for (let i = 0; i < 10; i++) log.record(entry(i));
    await expect(log.flush()).resolves.toBeUndefined();
    expect(log.stats()).toMatchObject({ queued: 0, written: 0, failed: 10 });
    expect(errors).toEqual([10, 10, 10]);
  });

  it('retries a failed batch with backoff and then writes it in order', async () => {
    const store = new FakeStore();
    store.failuresLeft = 2;
    const log = make(store, { batchSize: 3, flushIntervalMs: 5, retryBaseMs: 5 });
    for (let i = 0; i < 6; i++) log.record(entry(i));
    await waitFor(() => log.stats().written === 6);
    expect(store.batches.flat().map((r) => r.action)).toEqual(['a.0', 'a.1', 'a.2', 'a.3', 'a.4', 'a.5']);
    expect(log.stats()).toMatchObject({ failed: 0, dropped: 0 });
  });

  it('gives a retained batch up once the queue fills during an outage', async () => {
    const store = new FakeStore();
    store.failuresLeft = Number.POSITIVE_INFINITY;
    let errors = 0;
    const log = make(store, {
      maxQueue: 4,
      batchSize: 2,
      flushIntervalMs: 1,
      retryBaseMs: 1,
      onWriteError: () => errors++,
    });
    log.record(entry(0));
    log.record(entry(1));
    await waitFor(() => errors >= 2);
    expect(log.stats()).toMatchObject({ queued: 2, failed: 0 });
    for (let i = 2; i < 6; i++) log.record(entry(i));
    await waitFor(() => log.stats().failed >= 2);
    expect(log.stats().dropped).toBe(0);
  });

  it('never throws from record(), whatever it is given', () => {
    const log = make(new FakeStore(), { flushIntervalMs: 60_000 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => log.record({ actor: 'x', action: 'y', result: 'z', detail: cyclic })).not.toThrow();
    expect(() => log.record(null as never)).not.toThrow();
    expect(log.stats()).toMatchObject({ queued: 1, dropped: 1 });
  });

  it('refuses entries after close() and flushes what it had', async () => {
    const store = new FakeStore();
    const log = make(store, { flushIntervalMs: 60_000 });
    log.record(entry(1));
    await log.close();
    log.record(entry(2));
    expect(log.stats()).toMatchObject({ written: 1, dropped: 1, queued: 0 });
  });

  it('counts failures of the real database without throwing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-audit-'));
    try {
      const databaseUrl = `file:${join(dir, 'beacon.db')}`;
      await migrate({ databaseUrl });
      const p = await Persistence.open({
        databaseUrl,
        dataDir: dir,
        audit: { flushIntervalMs: 60_000, retryBaseMs: 1 },
      });
      p.audit.record(entry(1));
      await p.audit.flush();
      expect(p.audit.stats()).toMatchObject({ written: 1 });
      const raw = new Database(join(dir, 'beacon.db'));
      raw.exec('DROP TABLE audit_records');
      raw.close();
      p.audit.record(entry(2));
      p.audit.record(entry(3));
      await expect(p.close()).resolves.toBeUndefined();
      expect(p.audit.stats()).toMatchObject({ written: 1, failed: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
