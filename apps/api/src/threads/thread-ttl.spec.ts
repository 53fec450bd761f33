import { UnprocessableEntityException } from '@nestjs/common';
import { parseThreadTtl, wantsTtl } from './thread-ttl';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');

describe('parseThreadTtl', () => {
  it('reads the SDK’s {ttl, strategy}, a plain number of minutes, and null to clear', () => {
    expect(parseThreadTtl({ ttl: 30, strategy: 'delete' }, NOW)).toEqual({ strategy: 'delete', ttl: 30, expires_at: '2026-01-01T00:30:00.000Z' });
    expect(parseThreadTtl(1.5, NOW)).toEqual({ strategy: 'delete', ttl: 1.5, expires_at: '2026-01-01T00:01:30.000Z' });
    expect(parseThreadTtl({ ttl: 5, strategy: 'keep_latest' }, NOW)?.strategy).toBe('keep_latest');
    expect(parseThreadTtl(null, NOW)).toBeNull();
    expect(parseThreadTtl(undefined, NOW)).toBeUndefined();
  });

  it('refuses what is not a TTL with a 422 naming the field', () => {
    for (const bad of [0, -1, 'soon', [], { ttl: '5' }, { ttl: 5, strategy: 'archive' }, {}]) {
      let caught: unknown;
      try {
        parseThreadTtl(bad, NOW);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnprocessableEntityException);
      expect(JSON.stringify((caught as UnprocessableEntityException).getResponse())).toContain('ttl');
    }
  });
});

describe('wantsTtl', () => {
  it('is asked for by include or select, as a list or one query value', () => {
    expect(wantsTtl(['ttl'])).toBe(true);
    expect(wantsTtl('ttl')).toBe(true);
    expect(wantsTtl(undefined, ['thread_id', 'ttl'])).toBe(true);
    expect(wantsTtl(undefined, ['thread_id'])).toBe(false);
  });
});
