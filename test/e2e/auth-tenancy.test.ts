import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@beacon/protocol';
import { DEV_KEY, DEV_SECRET, signToken, startTestBeacon, type TestBeacon } from '../support/beacon.js';
import { TestClient } from '../support/ws-client.js';
import { waitUntil } from '../support/wait.js';

let beacon: TestBeacon;
/** Push secret per app key. */
const apps: Record<string, string> = {};
/** HS256 token key per app key. */
const tokenKeys: Record<string, string> = {};

beforeAll(async () => {
  beacon = await startTestBeacon({ BEACON_APP_CACHE_TTL_MS: '0' });
  for (const key of ['tenant-a', 'tenant-b']) {
    const made = await beacon.persistence.apps.create({ name: key, key, settings: { clientPublish: true } });
    apps[key] = made.secret;
    tokenKeys[key] = made.tokenKey.secret;
  }
});
afterAll(async () => {
  await beacon.stop();
});

const connectAs = async (key: string, claims: Record<string, unknown> = { sub: 'u1' }): Promise<TestClient> =>
  TestClient.connect(beacon.wsUrl(key, await signToken(tokenKeys[key]!, claims)));

describe('tenant isolation', () => {
  it("app B's client never receives app A's publish to the same topic name", async () => {
    const a = await connectAs('tenant-a');
    const b = await connectAs('tenant-b');
    await a.subscribe('orders');
    await b.subscribe('orders');
    const res = await beacon.api('POST', '/v1/publish', { topic: 'orders', data: 'for-a' }, apps['tenant-a']);
    expect(res.status).toBe(200);
    await waitUntil(() => a.messages().length === 1);
    // a client publish in A does not cross either
    await a.request({ type: 'publish', topic: 'orders', data: 'from-a-client' }, 'p');
    await waitUntil(() => a.messages().length === 2);
    await b.sync();
    expect(b.messages()).toEqual([]);
    // counts are per app
    const countB = await beacon.api(
      'GET',
      '/v1/topics/subscribers?topic=orders',
      undefined,
      apps['tenant-b'],
    );
    expect(countB.body.topics).toEqual([{ topic: 'orders', subscribers: 1 }]);
    a.close();
    b.close();
  });

  it("a token signed with app A's token key does not open a connection to app B", async () => {
    const c = await TestClient.open(
      beacon.wsUrl('tenant-b', await signToken(tokenKeys['tenant-a']!, { sub: 'x' })),
    );
    expect(await c.waitClosed()).toBe(CloseCode.Unauthorized);
  });
});

describe('push API keys', () => {
  it('a wrong key gets 401 and nothing is delivered', async () => {
    const c = await TestClient.connect(beacon.wsUrl());
    await c.subscribe('guarded');
    const res = await beacon.api('POST', '/v1/publish', { topic: 'guarded', data: 'x' }, 'not-a-real-secret');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'invalid_key', status: 401, title: expect.any(String) });
    const none = await fetch(`${beacon.url}/v1/publish`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    await c.sync();
    expect(c.messages()).toEqual([]);
    c.close();
  });

  it('a rotated-out secret gets 401 key_revoked; a disabled app gets 403 and its clients are refused', async () => {
    const { secret: old, tokenKey } = await beacon.persistence.apps.create({ name: 'r', key: 'rotating' });
    const { secret: fresh } = await beacon.persistence.apps.rotateSecret('rotating');
    await waitUntil(async () => (await beacon.api('GET', '/v1/topics', undefined, old)).status === 401);
    expect((await beacon.api('GET', '/v1/topics', undefined, old)).body.code).toBe('key_revoked');
    expect((await beacon.api('GET', '/v1/topics', undefined, fresh)).status).toBe(200);

    await beacon.persistence.apps.setEnabled('rotating', false);
    await waitUntil(async () => (await beacon.api('GET', '/v1/topics', undefined, fresh)).status === 403);
    expect((await beacon.api('GET', '/v1/topics', undefined, fresh)).body.code).toBe('app_disabled');
    const c = await TestClient.open(beacon.wsUrl('rotating', await signToken(tokenKey.secret, { sub: 'z' })));
    expect(await c.waitClosed()).toBe(CloseCode.AppDisabled);
  });
});

describe('client authentication', () => {
  it('refuses with documented close codes', async () => {
    const cases: Array<[string, number]> = [
      [beacon.wsUrl('').replace('?app=', '?'), CloseCode.BadRequest],
      [beacon.wsUrl('no-such-app'), CloseCode.UnknownApp],
      [beacon.wsUrl('tenant-a'), CloseCode.Unauthorized], // anonymous not allowed
      [
        beacon.wsUrl('tenant-a', await signToken('forged-secret-forged-secret', { sub: 'm' })),
        CloseCode.Unauthorized,
      ],
      [beacon.wsUrl('tenant-a', 'not.a.jwt'), CloseCode.Unauthorized],
      [
        beacon.wsUrl(
          'tenant-a',
          await signToken(tokenKeys['tenant-a']!, { sub: 'm' }, Math.floor(Date.now() / 1000) - 60),
        ),
        CloseCode.TokenExpired,
      ],
    ];
    for (const [url, code] of cases) {
      const c = await TestClient.open(url);
      expect(await c.waitClosed(), url).toBe(code);
      expect(c.frames.filter((f) => f.type === 'connected')).toEqual([]);
    }
  });

  it('closes with 4002 when the token expires during the connection', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const c = await TestClient.connect(
      beacon.wsUrl('tenant-a', await signToken(tokenKeys['tenant-a']!, { sub: 'short' }, exp)),
    );
    expect(await c.waitClosed(5_000)).toBe(CloseCode.TokenExpired);
  });

  it('enforces subscribe and publish claims; the dev app lets anonymous clients in', async () => {
    const c = await connectAs('tenant-a', { sub: 'lim', subscribe: ['public.*'], publish: ['public.chat'] });
    expect(await c.request({ type: 'subscribe', topic: 'public.news' })).toMatchObject({ type: 'ack' });
    expect(await c.request({ type: 'subscribe', topics: ['public.ok', 'private.x'] })).toMatchObject({
      type: 'error',
      code: 'forbidden',
    });
    expect(c.frames.some((f) => f.type === 'ack' && (f.topics as string[]).includes('public.ok'))).toBe(
      false,
    );
    expect(await c.request({ type: 'publish', topic: 'public.news', data: 1 })).toMatchObject({
      code: 'forbidden',
    });
    expect(await c.request({ type: 'publish', topic: 'public.chat', data: 1 })).toMatchObject({
      type: 'ack',
    });
    c.close();
    const anon = await TestClient.connect(beacon.wsUrl(DEV_KEY));
    expect(anon.frames[0]).toMatchObject({ type: 'connected', userId: null });
    anon.close();
  });
});

/** A token signed with a private key, the way an app's backend signs with ES256 / EdDSA / RS256. */
function signWith(
  alg: string,
  key: KeyObject,
  claims: Record<string, unknown>,
  kid?: string,
  expiresIn: string | number = '1h',
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, ...(kid !== undefined && { kid }) })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

const closeOf = async (url: string): Promise<number> => (await TestClient.open(url)).waitClosed();

describe('token keys (issue 6, item 8)', () => {
  it('the push secret never verifies a client token; the token key does', async () => {
    // Before the split, the app secret was the JWT key: a token signed with it opened a connection.
    expect(await closeOf(beacon.wsUrl('tenant-a', await signToken(apps['tenant-a']!, { sub: 'x' })))).toBe(
      CloseCode.Unauthorized,
    );
    expect(await closeOf(beacon.wsUrl(DEV_KEY, await signToken(DEV_SECRET, { sub: 'x' })))).toBe(
      CloseCode.Unauthorized,
    );
    const ok = await connectAs('tenant-a', { sub: 'x' });
    ok.close();
  });

  it('accepts ES256, EdDSA and RS256 tokens of registered public keys, picked by kid', async () => {
    const p = beacon.persistence.apps;
    await p.create({ name: 'asym', key: 'asym' });
    const pairs = {
      ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      EdDSA: generateKeyPairSync('ed25519'),
      RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    };
    for (const [alg, pair] of Object.entries(pairs)) {
      const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      await p.addTokenKey('asym', { alg: alg as 'ES256', kid: `k-${alg}`, publicKey: pem });
      const c = await TestClient.connect(
        beacon.wsUrl('asym', await signWith(alg, pair.privateKey, { sub: `u-${alg}` }, `k-${alg}`)),
      );
      expect(c.frames[0]).toMatchObject({ type: 'connected', userId: `u-${alg}` });
      c.close();
    }
    // a JWK works as well as a PEM
    const jwkPair = generateKeyPairSync('ed25519');
    await p.addTokenKey('asym', {
      alg: 'EdDSA',
      kid: 'jwk',
      publicKey: JSON.stringify(jwkPair.publicKey.export({ format: 'jwk' })),
    });
    const viaJwk = await TestClient.connect(
      beacon.wsUrl('asym', await signWith('EdDSA', jwkPair.privateKey, { sub: 'j' }, 'jwk')),
    );
    viaJwk.close();

    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(
      await closeOf(
        beacon.wsUrl('asym', await signWith('ES256', stranger.privateKey, { sub: 's' }, 'k-ES256')),
      ),
    ).toBe(CloseCode.Unauthorized);
    expect(
      await closeOf(
        beacon.wsUrl('asym', await signWith('ES256', pairs.ES256.privateKey, { sub: 's' }, 'nope')),
      ),
    ).toBe(CloseCode.Unauthorized);
    // without a kid every key of the header's alg is tried
    const c = await TestClient.connect(
      beacon.wsUrl('asym', await signWith('RS256', pairs.RS256.privateKey, { sub: 'nokid' })),
    );
    c.close();
    // a key that does not fit its alg is refused when registered
    await expect(
      p.addTokenKey('asym', {
        alg: 'ES256',
        publicKey: pairs.EdDSA.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses tokens that live longer than the app allows', async () => {
    const now = Math.floor(Date.now() / 1000);
    // default: 24 h
    expect(
      await closeOf(
        beacon.wsUrl('tenant-a', await signToken(tokenKeys['tenant-a']!, { sub: 'l' }, now + 3 * 24 * 3600)),
      ),
    ).toBe(CloseCode.Unauthorized);
    const ok = await TestClient.connect(
      beacon.wsUrl('tenant-a', await signToken(tokenKeys['tenant-a']!, { sub: 'l' }, '23h')),
    );
    ok.close();
    await beacon.persistence.apps.updateSettings('tenant-b', { maxTokenLifetimeSec: 120 });
    expect(
      await closeOf(beacon.wsUrl('tenant-b', await signToken(tokenKeys['tenant-b']!, { sub: 'l' }, '1h'))),
    ).toBe(CloseCode.Unauthorized);
    const short = await TestClient.connect(
      beacon.wsUrl('tenant-b', await signToken(tokenKeys['tenant-b']!, { sub: 'l' }, '90s')),
    );
    short.close();
    await beacon.persistence.apps.updateSettings('tenant-b', { maxTokenLifetimeSec: 24 * 3600 });
  });

  it('refuses user ids with control or bidi characters (issue 6, item 10)', async () => {
    for (const sub of ['evil\u001b[2Jwipe', 'line\nbreak', 'rtl\u202eexe.txt', '', 'x'.repeat(201)]) {
      const c = await TestClient.open(
        beacon.wsUrl('tenant-a', await signToken(tokenKeys['tenant-a']!, { sub })),
      );
      expect(await c.waitClosed(), JSON.stringify(sub)).toBe(CloseCode.Unauthorized);
    }
    const res = await beacon.api(
      'POST',
      `/v1/users/${encodeURIComponent('a\u0007b')}/send`,
      { data: 1 },
      apps['tenant-a'],
    );
    expect(res.status).toBe(400);
    const ok = await connectAs('tenant-a', { sub: 'ünïcode-ok 名前' });
    ok.close();
  });
});
