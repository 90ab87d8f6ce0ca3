import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Persistence } from './persistence.js';
import { PersistenceModule } from './persistence.module.js';

@Injectable()
class UsesPersistence {
  constructor(@Inject(Persistence) readonly persistence: Persistence) {}
}

describe('PersistenceModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-module-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('provides an opened Persistence and closes it (flushing audit) on shutdown', async () => {
    @Module({ providers: [UsesPersistence] })
    class FeatureModule {}
    const ref = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({ databaseUrl: `file:${join(dir, 'b.db')}`, dataDir: dir, migrate: true }),
        FeatureModule,
      ],
    }).compile();
    const app = ref.createNestApplication();
    await app.init();
    const { persistence } = app.get(UsesPersistence);
    expect(persistence).toBeInstanceOf(Persistence);
    expect(persistence.provider).toBe('sqlite');
    await persistence.apps.create({ name: 'Nest', key: 'nest' });
    persistence.audit.record({ actor: 'spec', action: 'x', result: 'ok' });
    await app.close();
    expect(persistence.audit.stats()).toMatchObject({ written: 1, queued: 0 });
  });
});
