import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '@beacon/protocol';
import { closeAction, SERVICE_RESTART, STOP_CODES, TOKEN_CODES } from './close-policy.js';
import type { ClientErrorCode } from './errors.js';

// The SDK copies close codes so that nothing of @beacon/protocol is bundled; checked here against it.
describe('close policy', () => {
  it('never retries what the protocol says to fix, the apps that are gone, or a kick', () => {
    expect(STOP_CODES).toEqual([
      CloseCode.ProtocolError,
      CloseCode.InvalidPayload,
      CloseCode.PolicyViolation,
      CloseCode.MessageTooBig,
      CloseCode.BadRequest,
      CloseCode.AppDisabled,
      CloseCode.UnknownApp,
      CloseCode.Kicked,
    ]);
    for (const c of STOP_CODES) expect(closeAction(c, true)).toBe('stop');
  });

  it('gets a new token after 4001 and 4002, or stops when it cannot', () => {
    expect(TOKEN_CODES).toEqual([CloseCode.Unauthorized, CloseCode.TokenExpired]);
    for (const c of TOKEN_CODES) {
      expect(closeAction(c, true)).toBe('token');
      expect(closeAction(c, false)).toBe('stop');
    }
  });

  it('retries every other close code, and a lost connection (1006)', () => {
    const others = Object.values(CloseCode).filter(
      (c) => !STOP_CODES.includes(c) && !TOKEN_CODES.includes(c),
    );
    expect(others).toEqual([1000, 1001, 1011, 1012, 4005, 4006, 4008, 4009, 4029, 4030]);
    for (const c of [...others, 1006]) expect(closeAction(c, true)).toBe('retry');
    expect(SERVICE_RESTART).toBe(CloseCode.ServiceRestart);
  });

  it("the SDK's own error codes never collide with the server's", () => {
    const own: ClientErrorCode[] = ['timeout', 'disconnected', 'closed', 'token', 'already_subscribed'];
    for (const c of own) expect(Object.values(ErrorCode)).not.toContain(c);
  });
});
