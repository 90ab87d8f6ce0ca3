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
});
