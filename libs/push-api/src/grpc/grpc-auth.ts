import type { Metadata } from '@grpc/grpc-js';
import type { ApiApp, AppAuthenticator } from '../ports.js';
import { PushApiException } from '../push-api.exception.js';
import { bearerSecret, secretRefusal } from '../push-call.js';

/** Outcome of a call's authentication: the app when known (a disabled app is known, and audited as such). */
export type CallAuth = { ok: true; app: ApiApp } | { ok: false; app?: ApiApp; error: PushApiException };

/**
 * Metadata `authorization: Bearer <app secret>`, checked through the same AppAuthenticator as REST
 * (constant-time, cached at most 1 s), with the same refusal codes.
 */
export async function authenticateCall(auth: AppAuthenticator, metadata: Metadata): Promise<CallAuth> {
  const values = metadata.get('authorization');
  const secret = values.length === 1 && typeof values[0] === 'string' ? bearerSecret(values[0]) : undefined;
  if (secret === undefined) {
    return {
      ok: false,
      error: new PushApiException(
        'missing_credentials',
        'send metadata "authorization: Bearer <app secret>"',
      ),
    };
  }
  const result = await auth.authenticateSecret(secret);
  if (result.ok) return { ok: true, app: result.app };
  const error = secretRefusal(result);
  return result.app === undefined ? { ok: false, error } : { ok: false, app: result.app, error };
}

/** The client address of a gRPC peer string (`127.0.0.1:5000`, `[::1]:5000`, `ipv4:...`), without the port. */
export function peerAddress(peer: string | undefined): string | null {
  if (peer === undefined || peer === '' || peer === 'unknown') return null;
  const p = peer.replace(/^(ipv4|ipv6):/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(p);
  if (bracketed !== null) return bracketed[1] as string;
  const hostPort = /^([^:]+):\d+$/.exec(p);
  return hostPort === null ? p : (hostPort[1] as string);
}
