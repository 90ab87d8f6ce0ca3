import { PersistenceError } from './persistence.exception.js';

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
