/** A message seen by a tap: the producer's JSON text, cut to MAX_TAP_DATA characters. */
export interface TappedMessage {
  id: string;
  ts: number;
  dataJson: string;
}

export type TapListener = (m: TappedMessage) => void;

/** Messages one tap hands on per second at most; the rest of that second's are dropped. */
export const MAX_TAP_RATE = 50;
/** Messages waiting for a tap's next turn at most. */
export const MAX_TAP_QUEUED = 64;
/** A tapped payload is cut to this many characters (the viewer gets a few KiB of it anyway). */
export const MAX_TAP_DATA = 16 * 1024;

interface Tap {
  readonly listener: TapListener;
  readonly queue: TappedMessage[];
  windowStart: number;
  inWindow: number;
  dropped: number;
  scheduled: boolean;
}

/**
 * The taps of tailed topics (the dashboard's live tail): bounded and lossy, so delivery never waits
 * for a viewer. `offer` runs inside fan-out: it copies at most MAX_TAP_DATA characters of a message a
 * tap still has room for; the listeners run on a later turn (setImmediate), never inside delivery.
 */
export class TopicTaps {
  private readonly taps = new Map<string, Tap[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(appId: string, topic: string, listener: TapListener): () => void {
    const key = `${appId}\u0000${topic}`;
    const tap: Tap = { listener, queue: [], windowStart: 0, inWindow: 0, dropped: 0, scheduled: false };
    let list = this.taps.get(key);
    if (list === undefined) this.taps.set(key, (list = []));
    list.push(tap);
    this.count++;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      tap.queue.length = 0;
      const l = this.taps.get(key);
      if (l === undefined) return;
      const i = l.indexOf(tap);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) this.taps.delete(key);
      this.count--;
    };
  }

  offer(appId: string, topic: string, m: { id: string; ts: number; dataJson: string }): void {
    const list = this.taps.get(`${appId}\u0000${topic}`);
    if (list === undefined) return;
    const now = Date.now();
    for (const tap of list) {
      if (now - tap.windowStart >= 1000) {
        tap.windowStart = now;
        tap.inWindow = 0;
      }
      if (tap.inWindow >= MAX_TAP_RATE || tap.queue.length >= MAX_TAP_QUEUED) {
        tap.dropped++;
        continue;
      }
      tap.inWindow++;
      const dataJson = m.dataJson.length > MAX_TAP_DATA ? m.dataJson.slice(0, MAX_TAP_DATA) : m.dataJson;
      tap.queue.push({ id: m.id, ts: m.ts, dataJson });
      if (!tap.scheduled) {
        tap.scheduled = true;
        setImmediate(drain, tap);
      }
    }
  }
}

function drain(tap: Tap): void {
  tap.scheduled = false;
  const batch = tap.queue.splice(0, tap.queue.length);
  for (const m of batch) {
    try {
      tap.listener(m);
    } catch {
      // A viewer's failure is its own; delivery and the other viewers go on.
    }
  }
}
