import { compilePatterns, type TopicMatcher } from '@beacon/protocol';
import type { HistoryRule } from './history.js';

/** The app settings a policy is made of (the persistence lib's AppSettings has them). */
export interface PolicySettings {
  presence?: string[];
  presenceMaxMembers?: number;
  history?: Array<{ pattern: string; size: number; ttlSec: number }>;
}

/**
 * What an app's settings say about its topics, compiled once per settings object: which topics keep
 * history (first matching rule) and which have presence. Connections hold it; an app change swaps it.
 */
export interface AppPolicy {
  history(topic: string): HistoryRule | null;
  presence(topic: string): boolean;
  presenceMaxMembers: number;
}

const NONE: AppPolicy = { history: () => null, presence: () => false, presenceMaxMembers: 0 };
const compiled = new WeakMap<PolicySettings, AppPolicy>();

export function appPolicy(settings: PolicySettings): AppPolicy {
  const hit = compiled.get(settings);
  if (hit !== undefined) return hit;
  const rules = (settings.history ?? []).map((r) => ({
    matcher: compilePatterns([r.pattern]),
    rule: { size: r.size, ttlMs: r.ttlSec * 1000 } satisfies HistoryRule,
  }));
  const presence: TopicMatcher | null =
    (settings.presence ?? []).length > 0 ? compilePatterns(settings.presence ?? []) : null;
  if (rules.length === 0 && presence === null) {
    compiled.set(settings, NONE);
    return NONE;
  }
  const policy: AppPolicy = {
    history(topic) {
      for (const r of rules) if (r.matcher.matches(topic)) return r.rule;
      return null;
    },
    presence: (topic) => presence !== null && presence.matches(topic),
    presenceMaxMembers: settings.presenceMaxMembers ?? 1000,
  };
  compiled.set(settings, policy);
  return policy;
}

export const NO_POLICY = NONE;

/** A publish's per-topic history rules under `policy`, or undefined when none of its topics keeps history. */
export function historyOptions(
  policy: AppPolicy,
  topics: readonly string[],
): { history: Array<HistoryRule | null> } | undefined {
  let history: Array<HistoryRule | null> | undefined;
  for (let i = 0; i < topics.length; i++) {
    const rule = policy.history(topics[i]!);
    if (rule !== null) (history ??= new Array<HistoryRule | null>(topics.length).fill(null))[i] = rule;
  }
  return history === undefined ? undefined : { history };
}
