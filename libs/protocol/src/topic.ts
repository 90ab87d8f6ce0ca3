/**
 * Topic names and permission patterns.
 *
 * A topic is 1..maxLength characters from [A-Za-z0-9] and `_ - . : @ / = + ~`. A comma can never be in a
 * topic: firetower frames use it to list several topics in one string.
 *
 * A pattern is a topic that may contain `*` (any run of characters except `.` and `/`, so one segment)
 * and `**` (any run of characters at all). `**` alone allows every topic.
 */
import { Glob } from './glob.js';

export { patternMatchStats } from './glob.js';

const TOPIC_CHARS = /^[A-Za-z0-9_\-.:@/=+~]+$/;
const PATTERN_CHARS = /^[A-Za-z0-9_\-.:@/=+~*]+$/;

export const DEFAULT_MAX_TOPIC_LENGTH = 200;

export function isValidTopic(topic: unknown, maxLength = DEFAULT_MAX_TOPIC_LENGTH): topic is string {
  return (
    typeof topic === 'string' && topic.length > 0 && topic.length <= maxLength && TOPIC_CHARS.test(topic)
  );
}

export function isValidPattern(pattern: unknown, maxLength = DEFAULT_MAX_TOPIC_LENGTH): pattern is string {
  return (
    typeof pattern === 'string' &&
    pattern.length > 0 &&
    pattern.length <= maxLength &&
    PATTERN_CHARS.test(pattern) &&
    !pattern.includes('***')
  );
}

/** A compiled set of patterns. `matches` runs on subscribe and publish, never per delivery. */
export interface TopicMatcher {
  readonly all: boolean;
  readonly none: boolean;
  matches(topic: string): boolean;
}

/** Most patterns one token claim (`subscribe` or `publish`) may list; the gateway refuses more with 4001. */
export const MAX_TOKEN_PATTERNS = 64;

const MATCH_ALL: TopicMatcher = { all: true, none: false, matches: () => true };
const MATCH_NONE: TopicMatcher = { all: false, none: true, matches: () => false };

/**
 * Compiles topic patterns into a matcher whose worst case is linear in the topic length for each
 * pattern: no backtracking, whatever the pattern (see `Glob`).
 */
export function compilePatterns(
  patterns: readonly string[],
  maxLength = DEFAULT_MAX_TOPIC_LENGTH,
): TopicMatcher {
  if (patterns.length === 0) return MATCH_NONE;
  if (patterns.includes('**')) return MATCH_ALL;
  const exact = new Set<string>();
  const globs: Glob[] = [];
  for (const p of patterns) {
    if (!isValidPattern(p, maxLength)) throw new Error(`invalid topic pattern ${JSON.stringify(p)}`);
    if (p.includes('*')) globs.push(new Glob(p));
    else exact.add(p);
  }
  return {
    all: false,
    none: false,
    matches(topic) {
      if (exact.has(topic)) return true;
      for (const g of globs) if (g.matches(topic)) return true;
      return false;
    },
  };
}

/** Splits firetower's comma-separated topic string; empty parts are dropped. */
export function splitTopics(value: string): string[] {
  if (!value.includes(',')) return value.length > 0 ? [value] : [];
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
