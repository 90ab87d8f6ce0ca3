import { isValidPattern, MAX_TOKEN_PATTERNS } from '@beacon/protocol';
import { PersistenceError } from './persistence.exception.js';

/** A history rule: topics matching `pattern` keep their last `size` messages for `ttlSec` seconds. */
// A type, not an interface: settings are stored as JSON, and only type aliases are JSON-assignable.
export type HistorySetting = {
  pattern: string;
  size: number;
  ttlSec: number;
};

export const HISTORY_BOUNDS = { rules: 32, size: 10_000, ttlSec: 7 * 24 * 3600 } as const;
export const PRESENCE_MAX_MEMBERS_BOUND = 100_000;

export interface AppSettings {
  allowAnonymous: boolean;
  clientPublish: boolean;
  maxConnections: number;
  /** Longest life a client token may have (exp − iat, and exp − now), in seconds. */
  maxTokenLifetimeSec: number;
  /**
   * Per-app overrides of the gateway's per-connection limits; null: the process-wide setting
   * (BEACON_PUBLISH_RATE, BEACON_PUBLISH_BURST, BEACON_MAX_TOPICS_PER_CONNECTION, BEACON_MAX_FRAME_BYTES).
   */
  publishRate: number | null;
  publishBurst: number | null;
  maxTopicsPerConnection: number | null;
  /** Largest client publish `data`, in bytes once serialised. */
  maxMessageBytes: number | null;
  /** Topic patterns with presence (members, join/leave); none by default. */
  presence: string[];
  /** Members a presence topic may have; past it a subscribe is refused (`presence_full`). */
  presenceMaxMembers: number;
  /** History rules, first match wins; none by default. */
  history: HistorySetting[];
  /**
   * The frames the gateway sends this app's clients: Beacon's (default), or firetower's server frames
   * (deliveries as `{"topic","data","type":1}`, "heartbeat" text frames, no `connected`) for pages written
   * for a firetower server (docs/protocol.md#firetower-clients).
   */
  serverFrames: 'beacon' | 'firetower';
}

/** The lowest value of each limit override (null is always allowed). */
export const LIMIT_OVERRIDE_MIN = {
  publishRate: 1,
  publishBurst: 1,
  maxTopicsPerConnection: 1,
  maxMessageBytes: 16,
} as const;
const LIMIT_OVERRIDE_MAX = 100_000_000;

/** Bounds of maxTokenLifetimeSec: a minute to 30 days. */
export const TOKEN_LIFETIME_BOUNDS = { min: 60, max: 30 * 24 * 3600 } as const;

export const DEFAULT_APP_SETTINGS: AppSettings = Object.freeze({
  allowAnonymous: false,
  clientPublish: false,
  maxConnections: 10000,
  maxTokenLifetimeSec: 24 * 3600,
  publishRate: null,
  publishBurst: null,
  maxTopicsPerConnection: null,
  maxMessageBytes: null,
  presence: [],
  presenceMaxMembers: 1000,
  history: [],
  serverFrames: 'beacon',
});

/** Applies a patch over `base`, rejecting unknown keys and ill-typed values. */
export function mergeSettings(base: AppSettings, patch: Partial<AppSettings> = {}): AppSettings {
  const out: AppSettings = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    switch (k) {
      case 'allowAnonymous':
      case 'clientPublish':
        if (typeof v !== 'boolean')
          throw new PersistenceError('INVALID_INPUT', `settings.${k} must be a boolean`);
        out[k] = v;
        break;
      case 'maxConnections':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          throw new PersistenceError(
            'INVALID_INPUT',
            'settings.maxConnections must be a non-negative integer',
          );
        }
        out.maxConnections = v;
        break;
      case 'maxTokenLifetimeSec': {
        const { min, max } = TOKEN_LIFETIME_BOUNDS;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
          throw new PersistenceError(
            'INVALID_INPUT',
            `settings.maxTokenLifetimeSec must be an integer from ${min} to ${max}`,
          );
        }
        out.maxTokenLifetimeSec = v;
        break;
      }
      case 'publishRate':
      case 'publishBurst':
      case 'maxTopicsPerConnection':
      case 'maxMessageBytes': {
        const min = LIMIT_OVERRIDE_MIN[k];
        if (
          v !== null &&
          (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > LIMIT_OVERRIDE_MAX)
        ) {
          throw new PersistenceError(
            'INVALID_INPUT',
            `settings.${k} must be null (the process default) or an integer from ${min} to ${LIMIT_OVERRIDE_MAX}`,
          );
        }
        out[k] = v;
        break;
      }
      case 'presence':
        out.presence = checkPatterns(v);
        break;
      case 'presenceMaxMembers':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > PRESENCE_MAX_MEMBERS_BOUND) {
          throw new PersistenceError(
            'INVALID_INPUT',
            `settings.presenceMaxMembers must be an integer from 1 to ${PRESENCE_MAX_MEMBERS_BOUND}`,
          );
        }
        out.presenceMaxMembers = v;
        break;
      case 'history':
        out.history = checkHistory(v);
        break;
      case 'serverFrames':
        if (v !== 'beacon' && v !== 'firetower')
          throw new PersistenceError(
            'INVALID_INPUT',
            'settings.serverFrames must be "beacon" or "firetower"',
          );
        out.serverFrames = v;
        break;
      default:
        throw new PersistenceError('INVALID_INPUT', `unknown setting ${k}`);
    }
  }
  return out;
}

/** Reads settings stored as JSON, tolerating missing or extra keys from older or newer versions. */
export function settingsFromJson(value: unknown): AppSettings {
  const v = (typeof value === 'string' ? safeParse(value) : value) as Partial<
    Record<keyof AppSettings, unknown>
  >;
  const obj = v !== null && typeof v === 'object' ? v : {};
  return {
    allowAnonymous:
      typeof obj.allowAnonymous === 'boolean' ? obj.allowAnonymous : DEFAULT_APP_SETTINGS.allowAnonymous,
    clientPublish:
      typeof obj.clientPublish === 'boolean' ? obj.clientPublish : DEFAULT_APP_SETTINGS.clientPublish,
    maxConnections:
      typeof obj.maxConnections === 'number' ? obj.maxConnections : DEFAULT_APP_SETTINGS.maxConnections,
    maxTokenLifetimeSec:
      typeof obj.maxTokenLifetimeSec === 'number'
        ? obj.maxTokenLifetimeSec
        : DEFAULT_APP_SETTINGS.maxTokenLifetimeSec,
    publishRate: override(obj.publishRate),
    publishBurst: override(obj.publishBurst),
    maxTopicsPerConnection: override(obj.maxTopicsPerConnection),
    maxMessageBytes: override(obj.maxMessageBytes),
    presence: tolerant(() => checkPatterns(obj.presence), []),
    presenceMaxMembers:
      typeof obj.presenceMaxMembers === 'number'
        ? obj.presenceMaxMembers
        : DEFAULT_APP_SETTINGS.presenceMaxMembers,
    history: tolerant(() => checkHistory(obj.history), []),
    serverFrames: obj.serverFrames === 'firetower' ? 'firetower' : 'beacon',
  };
}

function override(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : null;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

function tolerant<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function checkPatterns(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > MAX_TOKEN_PATTERNS || !v.every((p) => isValidPattern(p))) {
    throw new PersistenceError(
      'INVALID_INPUT',
      `settings.presence must be an array of at most ${MAX_TOKEN_PATTERNS} topic patterns`,
    );
  }
  return [...(v as string[])];
}

function checkHistory(v: unknown): HistorySetting[] {
  if (v === undefined) return [];
  const bad = (): never => {
    throw new PersistenceError(
      'INVALID_INPUT',
      `settings.history must be at most ${HISTORY_BOUNDS.rules} rules {pattern, size 1-${HISTORY_BOUNDS.size}, ttlSec 1-${HISTORY_BOUNDS.ttlSec}}`,
    );
  };
  if (!Array.isArray(v) || v.length > HISTORY_BOUNDS.rules) return bad();
  return v.map((r: unknown) => {
    const o = r as Partial<HistorySetting> | null;
    if (
      o === null ||
      typeof o !== 'object' ||
      !isValidPattern(o.pattern) ||
      !Number.isInteger(o.size) ||
      (o.size as number) < 1 ||
      (o.size as number) > HISTORY_BOUNDS.size ||
      !Number.isInteger(o.ttlSec) ||
      (o.ttlSec as number) < 1 ||
      (o.ttlSec as number) > HISTORY_BOUNDS.ttlSec
    )
      return bad();
    return { pattern: o.pattern, size: o.size as number, ttlSec: o.ttlSec as number };
  });
}
