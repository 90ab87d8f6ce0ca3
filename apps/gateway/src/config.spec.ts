import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('gateway config', () => {
  it('binds loopback unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      topicServiceUrl: '127.0.0.1:7070',
    });
    expect(loadConfig({ BEACON_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('bounds the stream queue in messages and bytes', () => {
    expect(loadConfig({})).toMatchObject({ publishBuffer: 10_000, publishBufferBytes: 16 * 1024 * 1024 });
    expect(loadConfig({ BEACON_PUBLISH_BUFFER_BYTES: '1048576' }).publishBufferBytes).toBe(1048576);
    expect(() => loadConfig({ BEACON_PUBLISH_BUFFER_BYTES: '1000' })).toThrow(/BEACON_PUBLISH_BUFFER_BYTES/);
  });
});
