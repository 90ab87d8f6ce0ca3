import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { framePong, frameText } from './ws-frame.js';

// ws's own framer is the oracle: the bytes must be identical for every length class.
type Framer = { frame(data: Buffer, options: object): Buffer[] };
const { Sender } = wsModule as unknown as { Sender: Framer };
const wsFrame = (text: string): Buffer =>
  Buffer.concat(
    Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }),
  );

describe('frameText', () => {
  it.each([0, 1, 125, 126, 127, 65535, 65536, 70000])('matches ws for a %i-byte payload', (n) => {
    const text = 'x'.repeat(n);
    expect(frameText(text).equals(wsFrame(text))).toBe(true);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = 'é€😀'.repeat(50);
    expect(frameText(text).equals(wsFrame(text))).toBe(true);
  });
});

describe('framePong', () => {
  it.each([0, 5, 125])('matches ws for a %i-byte ping payload', (n) => {
    const payload = Buffer.alloc(n, 7);
    const ws = Buffer.concat(
      Sender.frame(payload, { fin: true, opcode: 0x0a, mask: false, readOnly: false, rsv1: false }),
    );
    expect(framePong(payload).equals(ws)).toBe(true);
  });
});
