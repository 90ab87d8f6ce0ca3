import { describe, expect, it } from 'vitest';
import { ConfigError } from '@beacon/ops';
import { loadConfig } from './config.js';

describe('topic-service config', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      host: '0.0.0.0',
      port: 7070,
      heartbeatIntervalMs: 2000,
      livenessTimeoutMs: 6000,
      commandTimeoutMs: 2000,
      logLevel: 'info',
    });
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
