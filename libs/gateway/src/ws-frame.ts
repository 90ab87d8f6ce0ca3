/**
 * Frames a text message once as an unmasked server-to-client WebSocket frame (RFC 6455 §5.2), header
 * and payload in one buffer, so fan-out writes the very same bytes to every socket.
 */
export function frameText(text: string): Buffer {
  const len = Buffer.byteLength(text);
  const header = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const buf = Buffer.allocUnsafe(header + len);
  buf[0] = 0x81; // FIN + text opcode
  if (header === 2) {
    buf[1] = len;
  } else if (header === 4) {
    buf[1] = 126;
    buf.writeUInt16BE(len, 2);
  } else {
    buf[1] = 127;
    buf.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    buf.writeUInt32BE(len >>> 0, 6);
  }
  buf.write(text, header, 'utf8');
  return buf;
}

/** A pong answering a client's ping: the ping's payload (at most 125 bytes, as ws enforces) echoed back. */
export function framePong(payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(2 + payload.length);
  buf[0] = 0x8a; // FIN + pong opcode
  buf[1] = payload.length;
  payload.copy(buf, 2);
  return buf;
}
