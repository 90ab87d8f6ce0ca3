import { describe, expect, it } from 'vitest';
import { isLoopback, metricsDecision } from './metrics-access.js';

describe('/metrics access', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.2.1', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['192.168.1.2', false],
    ['::ffff:10.0.0.1', false],
    ['fe80::1', false],
    ['1270.0.0.1', false],
    [undefined, false],
  ])('%s is loopback: %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });

  it('without a token answers loopback peers only', () => {
    expect(metricsDecision({ token: undefined }, undefined, '127.0.0.1')).toBe('ok');
    expect(metricsDecision({ token: undefined }, undefined, '10.1.2.3')).toBe('forbidden');
    expect(metricsDecision({ token: undefined }, 'Bearer anything', '10.1.2.3')).toBe('forbidden');
  });

  it('with a token wants it from every peer, loopback included', () => {
    const access = { token: 'a-metrics-token-0123456789' };
    expect(metricsDecision(access, `Bearer ${access.token}`, '10.1.2.3')).toBe('ok');
    expect(metricsDecision(access, undefined, '127.0.0.1')).toBe('unauthorized');
    expect(metricsDecision(access, 'Bearer wrong', '127.0.0.1')).toBe('unauthorized');
    expect(metricsDecision(access, `Basic ${access.token}`, '127.0.0.1')).toBe('unauthorized');
  });
});
