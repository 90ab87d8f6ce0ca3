import { afterEach, describe, expect, it, vi } from 'vitest';
import { BeaconLogger } from './log-levels.js';

afterEach(() => vi.restoreAllMocks());

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err };
};

describe('BeaconLogger', () => {
  it("keeps Nest's start-up narration out of info, shows it at debug", () => {
    const { out } = capture();
    new BeaconLogger('info').log('Mapped {/v1/publish, POST} route', 'RouterExplorer');
    new BeaconLogger('info').log('attached to topic-service', 'GatewayLink');
    new BeaconLogger('debug').log('AppModule dependencies initialized', 'InstanceLoader');
    const text = out.join('');
    expect(text).not.toContain('Mapped');
    expect(text).toContain('attached to topic-service');
    expect(text).toContain('AppModule dependencies initialized');
  });

  it('honours the level and can write everything to stderr', () => {
    const { out, err } = capture();
    const logger = new BeaconLogger('warn', true);
    logger.log('not shown', 'X');
    logger.warn('shown on stderr', 'X');
    expect(out.join('')).toBe('');
    expect(err.join('')).toContain('shown on stderr');
    expect(err.join('')).not.toContain('not shown');
  });
});
