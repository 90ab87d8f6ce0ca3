import type { ErrorCode } from '@beacon/protocol';

/** Codes the SDK itself raises, next to the server's error frame codes. */
export type ClientErrorCode =
  /** The server did not answer in time. */
  | 'timeout'
  /** The connection was lost before the answer; the request may or may not have been carried out. */
  | 'disconnected'
  /** `close()` was called. */
  | 'closed'
  /** `getToken` threw or returned no token. */
  | 'token'
  /** `subscribe` to a topic this client already subscribed to. */
  | 'already_subscribed';

export type BeaconErrorCode = ErrorCode | ClientErrorCode;

export class BeaconError extends Error {
  constructor(
    readonly code: BeaconErrorCode,
    message: string,
    readonly topic?: string,
  ) {
    super(message);
    this.name = 'BeaconError';
  }
}
