import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { ApiApp, AppAuthenticator, SecretCheck } from '../ports.js';
import { authenticateCall, peerAddress } from './grpc-auth.js';

const app: ApiApp = { id: 'a1', key: 'k', name: 'K', enabled: true };
const auth = (result: SecretCheck): AppAuthenticator => ({ authenticateSecret: async () => result });
const md = (value?: string): Metadata => {
  const m = new Metadata();
  if (value !== undefined) m.set('authorization', value);
  return m;
};

describe('gRPC call authentication', () => {
  it('accepts Bearer secrets and maps every refusal to the REST code', async () => {
    expect(await authenticateCall(auth({ ok: true, app }), md('Bearer s3cret'))).toEqual({ ok: true, app });
    const refused = async (m: Metadata, r: SecretCheck) => {
      const res = await authenticateCall(auth(r), m);
      return res.ok ? 'ok' : res.error.code;
    };
    expect(await refused(md(), { ok: true, app })).toBe('missing_credentials');
    expect(await refused(md('Basic abc'), { ok: true, app })).toBe('missing_credentials');
    expect(await refused(md('Bearer x'), { ok: false, reason: 'unknown' })).toBe('invalid_key');
    expect(await refused(md('Bearer x'), { ok: false, reason: 'revoked' })).toBe('key_revoked');
    expect(await refused(md('Bearer x'), { ok: false, reason: 'disabled', app })).toBe('app_disabled');
  });

  it('keeps the app of a disabled key for the audit record', async () => {
    const res = await authenticateCall(auth({ ok: false, reason: 'disabled', app }), md('Bearer x'));
    expect(res).toMatchObject({ ok: false, app });
  });
});

describe('peerAddress', () => {
  it.each([
    ['127.0.0.1:5000', '127.0.0.1'],
    ['[::1]:5000', '::1'],
    ['ipv4:10.0.0.1:80', '10.0.0.1'],
    ['ipv6:[::ffff:127.0.0.1]:80', '::ffff:127.0.0.1'],
    ['unix:/tmp/s', 'unix:/tmp/s'],
    ['unknown', null],
  ])('%s -> %s', (peer, expected) => {
    expect(peerAddress(peer)).toBe(expected);
  });
});
