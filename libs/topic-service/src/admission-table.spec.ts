import { describe, expect, it } from 'vitest';
import { AdmissionTable } from './admission-table.js';

describe('AdmissionTable', () => {
  it('grants slots while the app is under its limit, counting every gateway', () => {
    const t = new AdmissionTable<string>(100);
    expect(t.acquire('g1', 'app', 3)).toBe(true);
    expect(t.acquire('g2', 'app', 3)).toBe(true);
    expect(t.acquire('g2', 'app', 3)).toBe(true);
    expect(t.acquire('g1', 'app', 3)).toBe(false);
    expect(t.acquire('g1', 'other', 1)).toBe(true);
    expect(t.total('app')).toBe(3);
    expect(t.slotsOf('g2')).toBe(2);
    expect(t.acquire('g1', 'app', 0)).toBe(false);
  });

  it('slot changes add and give back, never below zero', () => {
    const t = new AdmissionTable<string>(100);
    t.acquire('g1', 'app', 2);
    t.change('g1', 'app', -1);
    t.change('g1', 'app', -5);
    expect(t.total('app')).toBe(0);
    t.change('g1', 'app', 2); // taken alone while its requests could not be sent
    expect(t.acquire('g2', 'app', 2)).toBe(false);
  });

  it('a snapshot replaces the gateway slots; removing a gateway frees them all', () => {
    const t = new AdmissionTable<string>(100);
    t.acquire('g1', 'app', 10);
    t.acquire('g2', 'app', 10);
    const skipped = t.replace(
      'g1',
      [
        { appId: 'app', count: 4 },
        { appId: '', count: 1 },
      ],
      (s) => s.appId !== '',
    );
    expect(skipped).toBe(1);
    expect(t.total('app')).toBe(5);
    t.remove('g1');
    expect(t.total('app')).toBe(1);
    expect(t.slotsOf('g1')).toBe(0);
  });

  it('bounds the apps one gateway may hold slots for', () => {
    const t = new AdmissionTable<string>(2);
    expect(t.acquire('g1', 'a', 5)).toBe(true);
    expect(t.acquire('g1', 'b', 5)).toBe(true);
    expect(t.acquire('g1', 'c', 5)).toBe(false);
    expect(t.acquire('g1', 'a', 5)).toBe(true);
  });
});
