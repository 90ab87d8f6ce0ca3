import { describe, expect, it } from 'vitest';
import { history, snapshot, T0 } from '../../test/data.js';
import { StatsFeed, WINDOW_SEC } from './stats-feed.js';

describe('StatsFeed', () => {
  it('seeds the charts from history and extends them with each snapshot', () => {
    const feed = new StatsFeed();
    let notified = 0;
    feed.subscribe(() => notified++);
    feed.applyHistory(history(T0, 5));
    expect(feed.length).toBe(5);
    expect(feed.series('deliveries')[1]).toEqual([100, 101, 102, 103, 104]);
    expect(feed.getLatest()).toBeNull();

    feed.applySnapshot(snapshot(T0));
    expect(feed.length).toBe(6);
    expect(feed.series('deliveries')[1]?.at(-1)).toBe(12_345);
    expect(feed.series('connections')[0].at(-1)).toBe(T0 / 1000);
    expect(feed.getLatest()?.ts).toBe(T0);
    expect(notified).toBe(2);
  });

  it('keeps close codes aligned, adding codes that appear and dropping silent ones', () => {
    const feed = new StatsFeed();
    feed.applyHistory(history(T0, 3));
    expect(feed.closeCodes()).toEqual(['4008']);
    feed.applySnapshot(snapshot(T0)); // closes: 1000 only
    expect(feed.closeCodes()).toEqual(['1000', '4008']);
    const [x, c1000, c4008] = feed.closeSeries();
    expect(c1000).toEqual([0, 0, 0, 4]);
    expect(c4008?.length).toBe(x.length);
    expect(feed.getCloseShape()).toBe('1000,4008');
  });

  it('holds only the last 15 minutes, and ignores a repeated sample', () => {
    const feed = new StatsFeed();
    feed.applyHistory(history(T0, 3));
    feed.applySnapshot(snapshot(T0 + WINDOW_SEC * 1000));
    const [x] = feed.series('deliveries');
    expect(x).toEqual([(T0 + WINDOW_SEC * 1000) / 1000]);
    feed.applySnapshot(snapshot(T0 + WINDOW_SEC * 1000, { connections: 1 }));
    expect(feed.length).toBe(1);
    expect(feed.getLatest()?.totals.connections).toBe(1);
  });
});
