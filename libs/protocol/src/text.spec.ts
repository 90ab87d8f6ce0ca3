import { describe, expect, it } from 'vitest';
import { clip, MAX_CLOSE_REASON_BYTES, truncateUtf8 } from './text.js';

describe('clip', () => {
  it('keeps short text and cuts long text at 64 characters with a mark', () => {
    expect(clip('abc')).toBe('abc');
    expect(clip('x'.repeat(1000))).toBe(`${'x'.repeat(64)}…`);
    expect(clip(`${'x'.repeat(63)}😀`)).toBe(`${'x'.repeat(63)}…`);
  });
});

describe('truncateUtf8', () => {
  it.each([
    ['ASCII', 'a'.repeat(300)],
    ['two-byte', 'é'.repeat(300)],
    ['three-byte', '€'.repeat(300)],
    ['four-byte', '😀'.repeat(300)],
    ['mixed', 'aé€😀'.repeat(100)],
    ['a lone surrogate', `${'a'.repeat(121)}\ud800zz`],
  ])('cuts %s text to at most 123 bytes on a character boundary', (_name, text) => {
    const cut = truncateUtf8(text);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(Buffer.byteLength(cut)).toBeGreaterThan(MAX_CLOSE_REASON_BYTES - 4);
    expect(text.startsWith(cut)).toBe(true);
    expect(Buffer.from(cut).toString()).toBe(cut.replace(/\ud800/g, '\ufffd'));
  });

  it('returns text that fits unchanged', () => {
    expect(truncateUtf8('désolé')).toBe('désolé');
    expect(truncateUtf8('é'.repeat(61))).toBe('é'.repeat(61));
  });
});
