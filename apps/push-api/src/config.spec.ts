import { describe, expect, it } from 'vitest';
import { ConfigError } from '@beacon/ops';
import { loadConfig } from './config.js';

describe('push-api config', () => {
  it('has the split deployment defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8090,
      grpcPort: 8091,
      host: '127.0.0.1',
      topicServiceUrl: '127.0.0.1:7070',
      maxMessageBytes: 65536,
    });
    expect(loadConfig({ BEACON_GRPC_PORT: 'off' }).grpcPort).toBeNull();
  });

  it('binds loopback unless told otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ BEACON_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('reports every bad variable at once', () => {
    const err = (() => {
      try {
        loadConfig({ BEACON_GRPC_PORT: '0', BEACON_TOPIC_SERVICE_URL: 'nope', BEACON_PORT: '-1' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(/BEACON_GRPC_PORT: .*0 is not supported/);
    expect(message).toMatch(/BEACON_TOPIC_SERVICE_URL: host:port/);
    expect(message).toMatch(/BEACON_PORT:/);
  });
});
