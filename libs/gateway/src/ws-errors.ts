import { CloseCode } from '@beacon/protocol';

/**
 * The close code ws sent for a protocol violation it found in a client's frames, from the error it
 * reports (`err.code`, stable across ws 8; see ws's docs/ws.md "Error codes").
 */
const WS_ERROR_CLOSE: Readonly<Record<string, CloseCode>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.MessageTooBig,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: CloseCode.MessageTooBig,
  WS_ERR_INVALID_UTF8: CloseCode.InvalidPayload,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: CloseCode.PolicyViolation,
};

export function wsErrorCloseCode(err: Error): CloseCode {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return CloseCode.InternalError;
  return (
    WS_ERROR_CLOSE[code] ?? (code.startsWith('WS_ERR_') ? CloseCode.ProtocolError : CloseCode.InternalError)
  );
}
