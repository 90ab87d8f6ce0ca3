import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFetch } from '../support/admin.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/beacon.js';
import { TestCluster } from '../support/cluster.js';
import { freePort } from '../support/ports.js';
import { dist, ServiceProcess } from '../support/service.js';

// Issue 7: the failed sign-in limits (per account, per address) are one budget for the whole cluster,
// counted in the shared database, not one budget per push-api process.
// Limits are the defaults: 5 failures per account, 20 per address, in 15 minutes.

describe('failed sign-in limits across push-apis', () => {
  let cluster: TestCluster;
  let second: ServiceProcess;
  let urls: [string, string];

  beforeAll(async () => {
    cluster = await TestCluster.start({ gateways: 1 });
    second = await ServiceProcess.start(
      'push-api-2',
      dist('push-api'),
      {
        BEACON_PORT: '0',
        BEACON_GRPC_PORT: String(await freePort()),
        BEACON_TOPIC_SERVICE_URL: `127.0.0.1:${cluster.tsPort}`,
        BEACON_CLUSTER_TOKEN: cluster.clusterToken,
        BEACON_DATA_DIR: cluster.dataDir,
        BEACON_ADMIN_EMAIL: ADMIN_EMAIL,
        BEACON_ADMIN_PASSWORD: ADMIN_PASSWORD,
      },
      /push-api gRPC listening/,
    );
    urls = [cluster.pushUrl, second.match(/push-api listening on (http:\/\/[\d.]+:\d+)/)!];
  }, 60_000);

  afterAll(async () => {
    await second?.kill9();
    await cluster?.stop();
  });

  const attempt = (i: 0 | 1, email: string, password: string) =>
    adminFetch(urls[i], 'POST', '/admin/v1/session', { body: { email, password } });

  it('counts an account’s failures on one push-api against sign-in on the other', async () => {
    // 3 failures on the first, 2 on the second: 5, the account's limit, though neither saw 5.
    for (const i of [0, 0, 0, 1, 1] as const)
      expect((await attempt(i, ADMIN_EMAIL, 'wrong-password-1')).status).toBe(401);
    for (const i of [0, 1] as const) {
      const limited = await attempt(i, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect([limited.status, limited.body.code]).toEqual([429, 'rate_limited']);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // An account that does not exist is limited the same way.
    for (const i of [1, 1, 1, 0, 0] as const)
      expect((await attempt(i, 'nobody@localhost', 'wrong-password-1')).status).toBe(401);
    expect((await attempt(0, 'nobody@localhost', 'wrong-password-1')).status).toBe(429);
  });

  it('counts an address’s failures across accounts and push-apis', async () => {
    // 10 failures so far from 127.0.0.1 (refusals with 429 do not count); 10 more, alternating.
    for (let n = 0; n < 10; n++)
      expect((await attempt((n % 2) as 0 | 1, `acct${n}@localhost`, 'wrong-password-1')).status).toBe(401);
    for (const i of [0, 1] as const)
      expect((await attempt(i, 'fresh@localhost', 'wrong-password-1')).status).toBe(429);
  });
});
