import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLOSE_REASONS, CloseCode, ErrorCode } from './codes.js';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

describe('documented codes', () => {
  it('docs/protocol.md lists every close code and every error code', () => {
    for (const code of Object.values(CloseCode))
      expect(doc, `close code ${code}`).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    for (const code of Object.values(ErrorCode))
      expect(doc, `error code ${code}`).toContain(`| \`${code}\` |`);
  });

  it('every close code has a reason short enough for a close frame', () => {
    for (const code of Object.values(CloseCode))
      expect(Buffer.byteLength(CLOSE_REASONS[code])).toBeLessThan(123);
  });
});
