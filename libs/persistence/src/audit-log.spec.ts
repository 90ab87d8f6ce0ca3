import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/pg/persistence.contract.js';
import { AuditLog, type AuditRow, type AuditStore } from './audit-log.js';
import { AUDIT_FIELD_LIMITS, AUDIT_MAX_DETAIL_CHARS } from './audit-row.js';
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
    expect(log.stats()).toEqual({ queued: 0, written: 35, dropped: 0, failed: 0, batches: 4, aggregated: 0 });
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

  it('bounds every field it stores, whatever the caller passes', async () => {
    const store = new FakeStore();
    const log = make(store, { flushIntervalMs: 60_000 });
    const huge = 'x'.repeat(1_000_000);
    log.record({
      actor: huge,
      appId: huge,
      action: huge,
      target: huge,
      result: huge,
      remoteAddr: huge,
      detail: huge,
    });
    log.record({ actor: 'a', action: 'b', result: 'c', detail: { big: huge } });
    log.refusal({ actor: huge, action: huge, target: huge, result: huge, remoteAddr: huge });
    log.tally({ actor: huge, action: huge, target: huge, result: huge, remoteAddr: huge });
    await log.flush();
    const rows = store.batches.flat();
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(r.actor.length).toBeLessThanOrEqual(AUDIT_FIELD_LIMITS.actor);
      expect(r.action.length).toBeLessThanOrEqual(AUDIT_FIELD_LIMITS.action);
      expect(r.result.length).toBeLessThanOrEqual(AUDIT_FIELD_LIMITS.result);
      expect((r.target ?? '').length).toBeLessThanOrEqual(AUDIT_FIELD_LIMITS.target);
      expect((r.appId ?? '').length).toBeLessThanOrEqual(AUDIT_FIELD_LIMITS.appId);
      expect((r.remoteAddr ?? '').length).toBeLessThanOrEqual(AUDIT_FIELD_LIMITS.remoteAddr);
      expect(JSON.stringify(r.detail).length).toBeLessThanOrEqual(AUDIT_MAX_DETAIL_CHARS + 100);
    }
    expect(rows[0]?.target?.endsWith('…')).toBe(true);
  });

  it('aggregates successful calls per actor, app, action, result and source, with a count', async () => {
    const store = new FakeStore();
    const log = make(store, { flushIntervalMs: 60_000, windowMs: 3_600_000 });
    const call = (remoteAddr: string, target: string) => ({
      actor: 'app:k',
      appId: 'a1',
      action: 'publish',
      result: '200',
      remoteAddr,
      target,
    });
    for (let i = 0; i < 100; i++) log.tally(call('10.0.0.1', 'news'));
    for (let i = 0; i < 5; i++) log.tally(call('10.0.0.2', `t${i}`));
    expect(store.batches).toEqual([]);
    await log.flush();
    const rows = store.batches.flat().sort((a, b) => b.count - a.count);
    expect(rows.map((r) => [r.remoteAddr, r.count, r.target])).toEqual([
      ['10.0.0.1', 100, 'news'],
      ['10.0.0.2', 5, null],
    ]);
    expect(log.stats()).toMatchObject({ written: 2, aggregated: 105 });
  });

  it('writes the first refusal of a window at once and one row counting its repeats', async () => {
    const store = new FakeStore();
    const log = make(store, { batchSize: 1, flushIntervalMs: 60_000, windowMs: 3_600_000 });
    const refused = {
      actor: 'unauthenticated',
      action: 'publish',
      result: '401 invalid_key',
      remoteAddr: '10.0.0.9',
    };
    log.refusal({ ...refused, target: 'first' });
    await waitFor(() => store.batches.length === 1);
    expect(store.batches[0]).toMatchObject([{ ...refused, target: 'first', count: 1 }]);
    for (let i = 0; i < 999; i++) log.refusal({ ...refused, target: 'again' });
    await log.flush();
    expect(store.batches.flat().map((r) => r.count)).toEqual([1, 999]);
    expect(store.batches.flat()[1]).toMatchObject({ ...refused, target: 'again' });
  });

  it('folds calls from more sources than maxTallies into one row per action and result', async () => {
    const store = new FakeStore();
    const log = make(store, { flushIntervalMs: 60_000, windowMs: 3_600_000, maxTallies: 10 });
    for (let i = 0; i < 1000; i++)
      log.refusal({
        actor: 'unauthenticated',
        action: 'publish',
        result: '401 invalid_key',
        remoteAddr: `10.1.${i >> 8}.${i & 255}`,
      });
    await log.flush();
    const rows = store.batches.flat();
    expect(rows.length).toBeLessThanOrEqual(20);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(1000);
    expect(rows.find((r) => r.remoteAddr === null)?.count).toBe(990);
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
