import type { CloseCode } from '@beacon/protocol';

/** What the SDK does after a close code (docs/protocol.md#close-codes, "client should"). */
export type CloseAction = 'retry' | 'token' | 'stop';

/**
 * Never retried: the request or the client is wrong (4000, 1002, 1007, 1008, 1009: retrying repeats it),
 * the app is gone (4003, 4004), or the server kicked the client on purpose (4010).
 */
export const STOP_CODES: readonly CloseCode[] = [1002, 1007, 1008, 1009, 4000, 4003, 4004, 4010];
/** The token was refused or expired: a new one from `getToken`, then retry. */
export const TOKEN_CODES: readonly CloseCode[] = [4001, 4002];
/** A drain (`service_restart`): reconnect after the `drain` frame's hint rather than the backoff. */
export const SERVICE_RESTART: CloseCode = 1012;

export function closeAction(code: number, canGetToken: boolean): CloseAction {
  if ((STOP_CODES as readonly number[]).includes(code)) return 'stop';
  if ((TOKEN_CODES as readonly number[]).includes(code)) return canGetToken ? 'token' : 'stop';
  return 'retry';
}
