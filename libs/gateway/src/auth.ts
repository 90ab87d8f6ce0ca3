import {
  CloseCode,
  compilePatterns,
  DEFAULT_MAX_TOPIC_LENGTH,
  isValidPattern,
  MAX_TOKEN_PATTERNS,
  type TopicMatcher,
  userIdProblem,
} from '@beacon/protocol';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { systemClock, type Clock } from '@beacon/routing';
import type { AppDirectory, GatewayApp, GatewayTokenKey } from './app-directory.js';
import type { Identity } from './connection.js';

export class ConnectRefused extends Error {
  constructor(
    readonly code: CloseCode,
    message: string,
  ) {
    super(message);
  }
}

const ALL = compilePatterns(['**']);
const NONE = compilePatterns([]);

/**
 * Authenticates a connect request `/ws?app=<key>[&token=<JWT>]`.
 * The token is signed by the app's backend with one of the app's token keys (never its push secret):
 * HS256 with a shared key, or ES256 / EdDSA / RS256 with a private key whose public half the app
 * registered. The header's `kid` picks the key; without one every key of the header's `alg` is tried.
 * It must carry `exp`, and live at most the app's `maxTokenLifetimeSec`; `sub` is the user id; optional
 * `subscribe` / `publish` claims (arrays of topic patterns) narrow what the client may do. Without a
 * token the app must allow anonymous clients.
 */
export class ConnectAuthenticator {
  constructor(
    private readonly apps: AppDirectory,
    /** Longest pattern a claim may hold: the gateway's topic length limit. */
    private readonly maxPatternLength = DEFAULT_MAX_TOPIC_LENGTH,
    /** What "now" is for `exp` and the lifetime bound. */
    private readonly clock: Clock = systemClock,
  ) {}

  async authenticate(url: URL, now = this.clock.now()): Promise<{ identity: Identity; app: GatewayApp }> {
    const key = url.searchParams.get('app');
    if (key === null || key.length === 0 || key.length > 128) {
      throw new ConnectRefused(CloseCode.BadRequest, 'missing "app" query parameter');
    }
    const app = await this.apps.findByKey(key);
    if (app === null) throw new ConnectRefused(CloseCode.UnknownApp, 'unknown app');
    if (!app.enabled) throw new ConnectRefused(CloseCode.AppDisabled, 'app disabled');

    const token = url.searchParams.get('token');
    const clientPublish = app.settings.clientPublish;
    if (token === null || token.length === 0) {
      if (!app.settings.allowAnonymous) throw new ConnectRefused(CloseCode.Unauthorized, 'token required');
      return {
        app,
        identity: {
          appId: app.id,
          appKey: app.key,
          userId: null,
          claims: {},
          canSubscribe: ALL,
          canPublish: clientPublish ? ALL : NONE,
          expiresAt: 0,
          keyId: null,
          info: null,
        },
      };
    }
    const { claims, kid } = await verifyToken(token, app.tokenKeys, now);
    checkLifetime(claims, app.settings.maxTokenLifetimeSec, now);
    if (claims.sub !== undefined) {
      const problem = userIdProblem(claims.sub);
      if (problem !== null)
        throw new ConnectRefused(CloseCode.Unauthorized, `invalid token: "sub" ${problem}`);
    }
    return {
      app,
      identity: {
        appId: app.id,
        appKey: app.key,
        userId: typeof claims.sub === 'string' ? claims.sub : null,
        claims: claims as Record<string, unknown>,
        canSubscribe: readPatterns('subscribe', claims.subscribe, this.maxPatternLength),
        canPublish: clientPublish ? readPatterns('publish', claims.publish, this.maxPatternLength) : NONE,
        expiresAt: (claims.exp as number) * 1000,
        keyId: kid,
        info: readInfo(claims.info),
      },
    };
  }
}

/** Largest `info` claim, serialised (bytes of UTF-8). */
export const MAX_INFO_BYTES = 1024;

/** The `info` claim: a JSON object of at most MAX_INFO_BYTES, shown in presence and on the dashboard. */
function readInfo(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConnectRefused(CloseCode.Unauthorized, 'invalid token: "info" must be a JSON object');
  }
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_INFO_BYTES) {
    throw new ConnectRefused(
      CloseCode.Unauthorized,
      `invalid token: "info" is larger than ${MAX_INFO_BYTES} bytes`,
    );
  }
  return value as Record<string, unknown>;
}

/** Clock skew tolerated when checking a token's lifetime, in seconds. */
const LIFETIME_SLACK_SEC = 30;

async function verifyToken(
  token: string,
  keys: readonly GatewayTokenKey[],
  now: number,
): Promise<{ claims: JWTPayload; kid: string }> {
  if (token.length > 8192) throw new ConnectRefused(CloseCode.Unauthorized, 'token too long');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new ConnectRefused(CloseCode.Unauthorized, 'invalid token');
  }
  const candidates =
    typeof header.kid === 'string'
      ? keys.filter((k) => k.kid === header.kid)
      : keys.filter((k) => k.alg === header.alg);
  if (candidates.length === 0) {
    throw new ConnectRefused(
      CloseCode.Unauthorized,
      typeof header.kid === 'string' ? 'invalid token: unknown or revoked key id' : 'invalid token',
    );
  }
  let expired = false;
  for (const k of candidates) {
    try {
      const { payload } = await jwtVerify(token, k.key, {
        algorithms: [k.alg],
        currentDate: new Date(now),
        requiredClaims: ['exp'],
      });
      return { claims: payload, kid: k.kid };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) expired = true;
      else if (err instanceof joseErrors.JWTClaimValidationFailed) {
        throw new ConnectRefused(CloseCode.Unauthorized, `invalid token: ${err.message}`);
      }
    }
  }
  if (expired) throw new ConnectRefused(CloseCode.TokenExpired, 'token expired');
  throw new ConnectRefused(CloseCode.Unauthorized, 'invalid token');
}

/** A token may live at most `maxSec`: from `iat` when it has one, and from now in any case. */
function checkLifetime(claims: JWTPayload, maxSec: number, now: number): void {
  const exp = claims.exp as number;
  const limit = maxSec + LIFETIME_SLACK_SEC;
  const fromIat = typeof claims.iat === 'number' ? exp - claims.iat : 0;
  if (fromIat > limit || exp - now / 1000 > limit) {
    throw new ConnectRefused(
      CloseCode.Unauthorized,
      `invalid token: lifetime exceeds the app's maximum of ${maxSec} s`,
    );
  }
}

/**
 * A `subscribe`/`publish` claim: at most MAX_TOKEN_PATTERNS patterns, each at most `maxLength` characters,
 * so what a token can make the matcher do is bounded (matching is linear in the topic per pattern).
 */
function readPatterns(claim: string, value: unknown, maxLength: number): TopicMatcher {
  if (value === undefined) return ALL;
  const refuse = (why: string): never => {
    throw new ConnectRefused(CloseCode.Unauthorized, `invalid token: "${claim}" ${why}`);
  };
  if (!Array.isArray(value)) return refuse('must be an array of topic patterns');
  if (value.length > MAX_TOKEN_PATTERNS) return refuse(`lists more than ${MAX_TOKEN_PATTERNS} patterns`);
  value.forEach((p: unknown, i) => {
    if (typeof p === 'string' && p.length > maxLength)
      refuse(`pattern ${i} is longer than ${maxLength} characters`);
    if (!isValidPattern(p, maxLength)) refuse(`has an invalid pattern at index ${i}`);
  });
  return compilePatterns(value as string[], maxLength);
}
