import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { refreshAt, tokenExpiry } from './token.js';

describe('tokenExpiry', () => {
  it("reads a signed JWT's exp in ms", async () => {
    const token = await new SignJWT({ sub: 'ålice ✓', info: { name: 'é'.repeat(7) } })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(1_900_000_000)
      .sign(new TextEncoder().encode('k'.repeat(32)));
    expect(tokenExpiry(token)).toBe(1_900_000_000_000);
  });

  it('is undefined for anything that is not a JWT with a numeric exp', () => {
    for (const t of ['', 'abc', 'a.b.c', 'a.%%%.c', `x.${btoa('{"exp":"soon"}')}.y`, `x.${btoa('{}')}.y`]) {
      expect(tokenExpiry(t)).toBeUndefined();
    }
  });
});

describe('refreshAt', () => {
  it('refreshes `lead` ms before exp, but not before half the remaining life', () => {
    expect(refreshAt(1_000_000, 0, 60_000)).toBe(940_000);
    expect(refreshAt(10_000, 0, 60_000)).toBe(5_000);
    expect(refreshAt(10_000, 20_000, 60_000)).toBe(10_000);
  });
});
