import { describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { dist, ServiceProcess } from '../support/service.js';

const TOKEN = 'start-test-cluster-token-0123456789';

describe('topic-service start: safe by default', () => {
  it('refuses to start on 0.0.0.0 without a cluster token: exit 1 with a clear message', async () => {
    const port = await freePort();
    const err = await ServiceProcess.start(
      'topic-service',
      dist('topic-service'),
      { BEACON_TOPIC_SERVICE_HOST: '0.0.0.0', BEACON_TOPIC_SERVICE_PORT: String(port) },
      /topic-service listening on/,
    ).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/topic-service exited 1/);
    expect(err?.message).toMatch(
      /BEACON_TOPIC_SERVICE_HOST: 0\.0\.0\.0 is not loopback.*BEACON_CLUSTER_TOKEN/,
    );
  });

  it('starts on 0.0.0.0 with a cluster token, and on loopback by default without one', async () => {
    const withToken = await ServiceProcess.start(
      'topic-service',
      dist('topic-service'),
      {
        BEACON_TOPIC_SERVICE_HOST: '0.0.0.0',
        BEACON_TOPIC_SERVICE_PORT: String(await freePort()),
        BEACON_CLUSTER_TOKEN: TOKEN,
      },
      /topic-service listening on/,
    );
    try {
      expect(withToken.stdout).toMatch(/topic-service listening on 0\.0\.0\.0:\d+/);
    } finally {
      expect(await withToken.stop()).toBe(0);
    }
    const byDefault = await ServiceProcess.start(
      'topic-service',
      dist('topic-service'),
      { BEACON_TOPIC_SERVICE_PORT: String(await freePort()) },
      /topic-service listening on/,
    );
    try {
      expect(byDefault.stdout).toMatch(/topic-service listening on 127\.0\.0\.1:\d+/);
    } finally {
      expect(await byDefault.stop()).toBe(0);
    }
  });
});
