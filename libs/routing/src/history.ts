import { randomBytes } from 'node:crypto';

/**
 * Message history with recovery (docs/presence-and-history.md). One authority per topic numbers the
 * messages of a history topic: the LocalRouter in one process, the topic-service in a cluster. A stream
 * (one app's topic) has an `epoch` naming its lifetime and a strictly increasing `offset` per message;
 * a client that saw `{offset, epoch}` asks for what came after it and is told whether it got everything.
 *
 * The store is a port: the in-memory store below loses everything on restart (a new epoch, so clients are
 * told `recovered: false`); a durable store can replace it without touching the gateway, as long as it
 * keeps appends of one stream in order (the router calls `append` in delivery order).
 */

/** How a topic keeps history: an app setting, matched by pattern (app-settings `history`). */
export interface HistoryRule {
  /** Messages kept per topic. */
  size: number;
  /** How long a message is kept, in ms. */
  ttlMs: number;
}

export interface StreamPosition {
  offset: number;
  epoch: string;
}

export interface StoredMessage {
  offset: number;
  id: string;
  ts: number;
  /** The payload as the producer's JSON text: replayed byte for byte. */
  dataJson: string;
}

export interface HistoryRead {
  messages: StoredMessage[];
  /** The stream's position after the returned messages (the newest offset, or `since` when none). */
  position: StreamPosition;
  /**
   * Only for reads with `since`: true when every message after `since` is among `messages` (same epoch,
   * nothing evicted or expired in between, not cut by `limit`). When `more` is set, true means nothing
   * was lost up to `position`: read on from there.
   */
  recovered: boolean;
  /** Set when the read was cut by its `maxBytes`: the rest follows from `position`. */
  more?: boolean;
}

export interface HistoryReadOptions {
  since?: StreamPosition;
  limit: number;
  /** Payload bytes one read returns at most (at least one message): a page, for a bounded transport. */
  maxBytes?: number;
}

export interface HistoryStats {
  streams: number;
  messages: number;
  bytes: number;
  evicted: number;
}

export interface HistoryStore {
  /** Numbers and keeps one message; returns its place. Appends of one stream must be called in order. */
  append(
    appId: string,
    topic: string,
    message: Omit<StoredMessage, 'offset'>,
    rule: HistoryRule,
  ): StreamPosition;
  /**
   * With `since`: the retained messages after it, oldest first, at most `limit`. Without: the newest
   * `limit` retained messages, oldest first.
   */
  read(appId: string, topic: string, opts: HistoryReadOptions): HistoryRead;
  /** The stream's current position, or null when the store knows nothing of it. */
  position(appId: string, topic: string): StreamPosition | null;
  stats(): HistoryStats;
}

export interface MemoryHistoryOptions {
  /** Bytes of payload (+ a fixed overhead per message) kept over all streams; the oldest go first. */
  maxBytes: number;
  /** Streams whose position (offset, epoch) is remembered; past it the least recently used is forgotten. */
  maxStreams: number;
  now?: () => number;
}

/** Bytes a message costs beyond its payload: ids, numbers, array slot. */
const MESSAGE_OVERHEAD = 96;

interface Stream {
  epoch: string;
  /** Offset of the newest message ever appended (0 before the first). */
  top: number;
  /** Retained messages, oldest first; `head` is the index of the oldest live one. */
  ring: StoredMessage[];
  head: number;
  expiresAt: number[];
  bytes: number;
  rule: HistoryRule;
}

/**
 * Everything in memory, bounded three ways: messages per topic (`rule.size`), age (`rule.ttlMs`, trimmed
 * on every touch of the stream and by `sweep`), and total bytes over all streams (`maxBytes`: the stream
 * appended to least recently loses its oldest messages first). A stream's position outlives its messages
 * until `maxStreams` positions are held, so a client coming back after every message expired learns that
 * it missed them (`recovered: false`) instead of seeing a fresh stream with the same epoch.
 */
export class MemoryHistoryStore implements HistoryStore {
  /** Insertion order is recency of append: the first entry is the least recently appended stream. */
  private readonly streams = new Map<string, Stream>();
  private readonly now: () => number;
  private bytes = 0;
  private messages = 0;
  private evicted = 0;
  private readonly epochPrefix = randomBytes(4).toString('hex');
  private epochs = 0;

  constructor(private readonly opts: MemoryHistoryOptions) {
    this.now = opts.now ?? Date.now;
  }

  append(
    appId: string,
    topic: string,
    message: Omit<StoredMessage, 'offset'>,
    rule: HistoryRule,
  ): StreamPosition {
    const key = streamKey(appId, topic);
    let s = this.streams.get(key);
    if (s === undefined) {
      s = { epoch: this.newEpoch(), top: 0, ring: [], head: 0, expiresAt: [], bytes: 0, rule };
      if (this.streams.size >= this.opts.maxStreams) this.forgetOldestStream();
    } else this.streams.delete(key); // re-inserted below: most recently appended last
    this.streams.set(key, s);
    s.rule = rule;
    const now = this.now();
    this.trim(s, now);
    const stored: StoredMessage = { ...message, offset: ++s.top };
    const size = stored.dataJson.length + MESSAGE_OVERHEAD;
    s.ring.push(stored);
    s.expiresAt.push(now + rule.ttlMs);
    s.bytes += size;
    this.bytes += size;
    this.messages++;
    while (s.ring.length - s.head > rule.size) this.dropOldest(s);
    this.compact(s);
    while (this.bytes > this.opts.maxBytes) if (!this.evictGlobally()) break;
    return { offset: s.top, epoch: s.epoch };
  }

  read(appId: string, topic: string, opts: HistoryReadOptions): HistoryRead {
    const s = this.streams.get(streamKey(appId, topic));
    const since = opts.since;
    if (s === undefined) {
      // Unknown stream: nothing retained. A client with a position saw a lifetime that is gone.
      return {
        messages: [],
        position: since ?? { offset: 0, epoch: '' },
        recovered: false,
      };
    }
    this.trim(s, this.now());
    const position = { offset: s.top, epoch: s.epoch };
    if (since !== undefined && (since.epoch !== s.epoch || since.offset > s.top || since.offset < 0)) {
      return { messages: [], position, recovered: false };
    }
    if (since === undefined) {
      // No position: the newest `limit` retained messages, oldest first.
      const messages = s.ring.slice(Math.max(s.head, s.ring.length - opts.limit));
      return { messages, position, recovered: false };
    }
    const after = since.offset;
    const oldest = s.head < s.ring.length ? s.ring[s.head]!.offset : s.top + 1;
    // Offsets are consecutive in this store, so the first wanted message sits at a computable index.
    const first = s.head + Math.max(0, after + 1 - oldest);
    const messages = s.ring.slice(first, Math.min(s.ring.length, first + opts.limit));
    const more = cutToBytes(messages, opts.maxBytes);
    // Nothing returned: the client is at the top (or lost what was between): it continues from the top.
    const last = messages.length > 0 ? messages[messages.length - 1]!.offset : s.top;
    const intact = oldest <= after + 1;
    if (more) return { messages, position: { offset: last, epoch: s.epoch }, recovered: intact, more };
    return {
      messages,
      position: { offset: last, epoch: s.epoch },
      // complete: nothing between `after` and the oldest retained was lost, and nothing cut by `limit`
      recovered: intact && last === s.top,
    };
  }

  position(appId: string, topic: string): StreamPosition | null {
    const s = this.streams.get(streamKey(appId, topic));
    return s === undefined ? null : { offset: s.top, epoch: s.epoch };
  }

  /** Drops expired messages of up to `budget` streams (call it periodically); returns how many it dropped. */
  sweep(budget = 1000): number {
    const now = this.now();
    const before = this.messages;
    let n = 0;
    for (const s of this.streams.values()) {
      if (n++ >= budget) break;
      this.trim(s, now);
    }
    return before - this.messages;
  }

  stats(): HistoryStats {
    return { streams: this.streams.size, messages: this.messages, bytes: this.bytes, evicted: this.evicted };
  }

  private newEpoch(): string {
    return `${this.epochPrefix}${(++this.epochs).toString(36)}`;
  }

  private trim(s: Stream, now: number): void {
    while (s.head < s.ring.length && s.expiresAt[s.head]! <= now) this.dropOldest(s);
    this.compact(s);
  }

  private dropOldest(s: Stream): void {
    const m = s.ring[s.head]!;
    const size = m.dataJson.length + MESSAGE_OVERHEAD;
    s.bytes -= size;
    this.bytes -= size;
    this.messages--;
    s.head++;
  }

  /** Reclaims the dead prefix once it is half the array, so the ring stays O(size) in memory. */
  private compact(s: Stream): void {
    if (s.head > 32 && s.head * 2 >= s.ring.length) {
      s.ring = s.ring.slice(s.head);
      s.expiresAt = s.expiresAt.slice(s.head);
      s.head = 0;
    }
  }

  private evictGlobally(): boolean {
    for (const s of this.streams.values()) {
      if (s.head < s.ring.length) {
        this.dropOldest(s);
        this.compact(s);
        this.evicted++;
        return true;
      }
    }
    return false;
  }

  private forgetOldestStream(): void {
    const first = this.streams.entries().next();
    if (first.done === true) return;
    const [key, s] = first.value;
    while (s.head < s.ring.length) this.dropOldest(s);
    this.streams.delete(key);
  }
}

/** Cuts `messages` in place to at most `maxBytes` of payload (never below one); true when it cut. */
function cutToBytes(messages: StoredMessage[], maxBytes: number | undefined): boolean {
  if (maxBytes === undefined) return false;
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    bytes += messages[i]!.dataJson.length + MESSAGE_OVERHEAD;
    if (bytes > maxBytes && i > 0) {
      messages.length = i;
      return true;
    }
  }
  return false;
}

function streamKey(appId: string, topic: string): string {
  return `${appId}\u0000${topic}`;
}
