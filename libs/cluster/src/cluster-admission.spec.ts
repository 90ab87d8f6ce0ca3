import type { cluster } from '@beacon/contracts';
import { MetricsRegistry } from '@beacon/metrics';
import { describe, expect, it } from 'vitest';
import { ClusterAdmission } from './cluster-admission.js';

function setup(room = true) {
  const metrics = new MetricsRegistry();
  const admission = new ClusterAdmission(metrics);
  const sent: cluster.AdmissionRequest[] = [];
  let changed = 0;
  const channel = {
    room,
    sendAcquire: (r: cluster.AdmissionRequest) => {
      if (!channel.room) return false;
      sent.push(r);
      return true;
    },
    slotsChanged: () => changed++,
  };
  admission.bind(channel);
  return { admission, sent, channel, metrics, changes: () => changed };
}

describe('ClusterAdmission', () => {
  it('attached: the topic-service decides; held slots and give-backs are reported', async () => {
    const { admission, sent } = setup();
    expect(admission.streamStarted()).toEqual([]);
    admission.streamRegistered();
    const p1 = admission.acquire('app', 2);
    const p2 = admission.acquire('app', 2);
    expect(sent.map((r) => [r.requestId, r.appId, r.limit])).toEqual([
      [1, 'app', 2],
      [2, 'app', 2],
    ]);
    admission.answered(2, false);
    admission.answered(1, true);
    admission.answered(1, true); // a duplicate answer changes nothing
    await expect(p1).resolves.toBe(true);
    await expect(p2).resolves.toBe(false);
    expect(admission.count('app')).toBe(1);
    admission.release('app');
    expect(admission.takeChanges()).toEqual([{ appId: 'app', delta: -1 }]);
    expect(admission.count('app')).toBe(0);
    admission.release('app'); // nothing held: nothing to give back
    expect(admission.hasChanges).toBe(false);
  });

  it('detached: degraded, counting only its own slots; the next snapshot reports them', () => {
    const { admission, sent, metrics } = setup();
    expect(admission.acquire('app', 2)).toBe(true);
    expect(admission.acquire('app', 2)).toBe(true);
    expect(admission.acquire('app', 2)).toBe(false);
    expect(sent).toEqual([]);
    expect(admission.hasChanges).toBe(false); // no stream: the snapshot carries them
    expect(admission.streamStarted()).toEqual([{ appId: 'app', count: 2 }]);
    expect(metrics.snapshot().beacon_cluster_admission_degraded_total).toBe(3);
    expect(metrics.snapshot().beacon_cluster_admission_refused_total).toBe(1);
  });

  it('requests in flight when the stream is lost are decided locally', async () => {
    const { admission } = setup();
    admission.streamStarted();
    admission.streamRegistered();
    const p = admission.acquire('app', 1);
    const q = admission.acquire('app', 1);
    admission.streamLost();
    await expect(p).resolves.toBe(true);
    await expect(q).resolves.toBe(false);
    admission.answered(1, true); // a lost stream's answer is ignored
    expect(admission.count('app')).toBe(1);
    expect(admission.streamStarted()).toEqual([{ appId: 'app', count: 1 }]);
  });

  it('a request that cannot be queued is decided locally and reported as a slot taken', () => {
    const { admission, channel, changes } = setup(false);
    admission.streamStarted();
    admission.streamRegistered();
    expect(admission.acquire('app', 5)).toBe(true);
    expect(changes()).toBe(1);
    expect(admission.takeChanges()).toEqual([{ appId: 'app', delta: 1 }]);
    channel.room = true;
    expect(admission.acquire('app', 0)).toBe(false); // limit 0 admits nobody, asks nobody
  });
});
