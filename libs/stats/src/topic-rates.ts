import type { TopicRow } from '@beacon/admin-api';
import type { AppView, Hub, TopicEntry } from '@beacon/gateway';
import { round } from './sampler.js';

/** A pass older than this is redone before a directory query answers with rates. */
const STALE_MS = 2_000;

/**
 * Per-topic message rates of one hub. The hub bumps `entry.messages` once per message (never per
 * recipient); a pass turns the counters into rates (`entry.rate`, per second since the previous pass)
 * and is the only writer of `mark` and `rate`. The sampler runs one pass a second while someone
 * watches; a directory query runs one when the last is stale. Nothing runs when nobody looks.
 */
export class TopicRates {
  private lastPass = 0;

  constructor(private readonly hub: Hub) {}

  /** One pass over every topic; `visit` sees each with its fresh rate. */
  pass(now: number, visit?: (app: AppView, topic: string, entry: TopicEntry) => void): void {
    const dt = this.lastPass === 0 ? 0 : Math.max(1, now - this.lastPass);
    this.lastPass = now;
    for (const app of this.hub.appViews()) {
      for (const [topic, entry] of app.topics) {
        entry.rate = dt === 0 ? 0 : round(((entry.messages - entry.mark) * 1000) / dt);
        entry.mark = entry.messages;
        if (visit !== undefined) visit(app, topic, entry);
      }
    }
  }

  /** Makes the rates at most STALE_MS old. */
  fresh(now: number): void {
    if (now - this.lastPass > STALE_MS) this.pass(now);
  }
}

export function topicRow(app: AppView, topic: string, entry: TopicEntry): TopicRow {
  return {
    appId: app.appId,
    appKey: app.appKey,
    topic,
    subscribers: entry.subs.size,
    messagesPerSec: entry.rate,
  };
}
