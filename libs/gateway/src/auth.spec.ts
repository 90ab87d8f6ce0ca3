import { createSecretKey } from 'node:crypto';
import { CloseCode } from '@beacon/protocol';
import { ManualClock } from '@beacon/routing';
import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AppDirectory, GatewayApp } from './app-directory.js';
import { ConnectAuthenticator, ConnectRefused } from './auth.js';

const secret = createSecretKey(Buffer.alloc(32, 7));

const app: GatewayApp = {
  id: 'app-1',
  key: 'key-1',
  enabled: true,
  settings: { allowAnonymous: false, clientPublish: true, maxConnections: 100, maxTokenLifetimeSec: 3600 },
  tokenKeys: [{ kid: 'k1', alg: 'HS256', key: secret }],
};

const directory: AppDirectory = { findByKey: async (key) => (key === app.key ? app : null) };

const token = (claims: JWTPayload): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(secret);

const url = (t?: string): URL =>
  new URL(`ws://localhost/ws?app=${app.key}${t === undefined ? '' : `&token=${t}`}`);

async function refusal(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectRefused);
  const r = err as ConnectRefused;
  return { code: r.code, message: r.message };
}

describe('ConnectAuthenticator on a manual clock', () => {
  it("accepts a token until the clock passes its `exp`, then refuses it with 4002; expiry is the token's", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const auth = new ConnectAuthenticator(directory, 200, clock);
    const exp = clock.now() / 1000 + 60;
    const t = await token({ sub: 'u1', exp });

    const { identity } = await auth.authenticate(url(t));
    expect(identity).toMatchObject({ appId: 'app-1', userId: 'u1', keyId: 'k1', expiresAt: exp * 1000 });

    clock.advance(59_000);
    await expect(auth.authenticate(url(t))).resolves.toBeDefined();
    clock.advance(1_000); // now == exp
    expect(await refusal(auth.authenticate(url(t)))).toEqual({
      code: CloseCode.TokenExpired,
      message: 'token expired',
    });
  });

  it("refuses a token that would live longer than the app allows from the clock's now", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const auth = new ConnectAuthenticator(directory, 200, clock);
    const now = clock.now() / 1000;
    // Without `iat` only exp − now counts; 30 s of skew are tolerated.
    await expect(auth.authenticate(url(await token({ exp: now + 3600 + 30 })))).resolves.toBeDefined();
    expect(await refusal(auth.authenticate(url(await token({ exp: now + 3600 + 31 }))))).toEqual({
      code: CloseCode.Unauthorized,
      message: "invalid token: lifetime exceeds the app's maximum of 3600 s",
    });
    // With `iat`, exp − iat counts too, wherever the clock is.
    const long = await token({ iat: now - 10_000, exp: now + 60 });
    expect((await refusal(auth.authenticate(url(long)))).code).toBe(CloseCode.Unauthorized);
  });

  it('refuses a missing token when the app has no anonymous clients, an unknown app, and a forged token', async () => {
    const auth = new ConnectAuthenticator(directory, 200, new ManualClock(1_700_000_000_000));
    expect(await refusal(auth.authenticate(url()))).toEqual({
      code: CloseCode.Unauthorized,
      message: 'token required',
    });
    expect((await refusal(auth.authenticate(new URL('ws://localhost/ws?app=nope')))).code).toBe(
      CloseCode.UnknownApp,
    );
    const forged = await new SignJWT({ exp: 1_700_000_060 })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(createSecretKey(Buffer.alloc(32, 8)));
    expect(await refusal(auth.authenticate(url(forged)))).toEqual({
      code: CloseCode.Unauthorized,
      message: 'invalid token',
    });
  });
});
