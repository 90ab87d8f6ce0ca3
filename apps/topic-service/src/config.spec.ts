import { describe, expect, it } from 'vitest';
import { ConfigError } from '@beacon/ops';
import { loadConfig } from './config.js';

describe('topic-service config', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      clusterToken: undefined,
      port: 7070,
      heartbeatIntervalMs: 2000,
      livenessTimeoutMs: 6000,
      commandTimeoutMs: 2000,
      history: { maxBytes: 64 * 1024 * 1024, maxStreams: 100_000 },
      logLevel: 'info',
    });
  });

  it('refuses a non-loopback bind without a cluster token, and says why', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'topic-service']) {
      expect(() => loadConfig({ BEACON_TOPIC_SERVICE_HOST: host })).toThrow(
        /BEACON_TOPIC_SERVICE_HOST: .*not loopback.*BEACON_CLUSTER_TOKEN/,
      );
    }
    const token = 'a-cluster-token-of-32-characters';
    expect(loadConfig({ BEACON_TOPIC_SERVICE_HOST: '0.0.0.0', BEACON_CLUSTER_TOKEN: token })).toMatchObject({
      host: '0.0.0.0',
      clusterToken: token,
    });
    for (const host of ['127.0.0.1', '127.9.9.9', '::1', 'localhost']) {
      expect(loadConfig({ BEACON_TOPIC_SERVICE_HOST: host }).host).toBe(host);
    }
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({
        BEACON_TOPIC_SERVICE_PORT: '0',
        BEACON_LOG_LEVEL: 'loud',
        BEACON_COMMAND_TIMEOUT_MS: 'x',
        BEACON_LIVENESS_TIMEOUT_MS: '100',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('BEACON_TOPIC_SERVICE_PORT');
      expect(msg).toContain('BEACON_LOG_LEVEL');
      expect(msg).toContain('BEACON_COMMAND_TIMEOUT_MS');
      expect(msg).toContain('BEACON_LIVENESS_TIMEOUT_MS: must be larger');
    }
  });

  it('requires the liveness timeout to exceed the heartbeat interval', () => {
    expect(() =>
      loadConfig({ BEACON_HEARTBEAT_INTERVAL_MS: '3000', BEACON_LIVENESS_TIMEOUT_MS: '3000' }),
    ).toThrow(/BEACON_LIVENESS_TIMEOUT_MS/);
  });
});
