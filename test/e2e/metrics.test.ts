import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBeacon, type TestBeacon } from '../support/beacon.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

async function scrape(url: string, token?: string) {
  const res = await fetch(`${url}/metrics`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('/metrics access', () => {
  let open: TestBeacon;
  let locked: TestBeacon;
  beforeAll(async () => {
    open = await startTestBeacon();
    locked = await startTestBeacon({ BEACON_METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await open?.stop();
    await locked?.stop();
  });

  it('without BEACON_METRICS_TOKEN answers loopback peers', async () => {
    const res = await scrape(open.url);
    expect(res.status).toBe(200);
    expect(res.text).toContain('beacon_audit_written_total');
  });

  it('with BEACON_METRICS_TOKEN wants it as a Bearer token, from any peer', async () => {
    for (const token of [undefined, 'wrong-token', `${TOKEN}x`]) {
      const res = await scrape(locked.url, token);
      expect(res.status).toBe(401);
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.text)).toMatchObject({ code: 'unauthorized' });
    }
    const ok = await scrape(locked.url, TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain/);
    expect(ok.text).toContain('beacon_audit_written_total');
  });
});
