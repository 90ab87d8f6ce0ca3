import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretStrengthProblem } from './secret-strength.js';

describe('secretStrengthProblem', () => {
  it('accepts 32 random bytes as hex or base64url, and long passphrase-like strings', () => {
    for (let i = 0; i < 200; i++) {
      expect(secretStrengthProblem(randomBytes(32).toString('hex'))).toBeNull();
      expect(secretStrengthProblem(randomBytes(32).toString('base64url'))).toBeNull();
    }
    expect(secretStrengthProblem('Correct-Horse-Battery-Staple-Quartz-Violin-Mango-9')).toBeNull();
  });

  it('refuses short, low-variety and repeated secrets', () => {
    expect(secretStrengthProblem('')).toMatch(/non-empty/);
    expect(secretStrengthProblem('hunter22')).toMatch(/too weak/);
    expect(secretStrengthProblem('dev-secret-for-tests-0123456789abcdef')).toMatch(/too weak/);
    expect(secretStrengthProblem(randomBytes(24).toString('hex'))).toMatch(/too weak/); // 192 bits
    expect(secretStrengthProblem('a'.repeat(200))).toMatch(/too weak/);
    expect(secretStrengthProblem('abcd'.repeat(40))).toMatch(/too weak/);
    expect(secretStrengthProblem('has spaces in it but is long enough to pass otherwise 123')).toMatch(
      /printable/,
    );
    expect(secretStrengthProblem('x'.repeat(1025))).toMatch(/at most 1024/);
  });
});
