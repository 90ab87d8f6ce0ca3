import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_GATEWAY_LIMITS } from './gateway.options.js';
import { gatewayLimitsEnv, gatewayLimitsFrom } from './limits.env.js';

const parse = (env: Record<string, string>) => gatewayLimitsFrom(z.object(gatewayLimitsEnv).parse(env));

describe('gateway limits from the environment', () => {
  it('defaults to DEFAULT_GATEWAY_LIMITS', () => {
    expect(parse({})).toEqual(DEFAULT_GATEWAY_LIMITS);
  });

  it('reads the topics-per-publish cap and the inbox bounds', () => {
    expect(
      parse({ BEACON_MAX_TOPICS_PER_PUBLISH: '7', BEACON_INBOX_FRAMES: '9', BEACON_INBOX_BYTES: '70000' }),
    ).toMatchObject({ maxTopicsPerPublish: 7, inboxFrames: 9, inboxBytes: 70000 });
  });

  it('refuses an inbox that cannot hold one largest frame', () => {
    expect(parse({ BEACON_MAX_FRAME_BYTES: '65536', BEACON_INBOX_BYTES: '65535' })).toMatch(
      /^BEACON_INBOX_BYTES: must be at least BEACON_MAX_FRAME_BYTES/,
    );
  });
});
