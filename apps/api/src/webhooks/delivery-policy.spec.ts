import { decideAfterAttempt } from './delivery-policy';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const SCHEDULE = [5, 300, 1800];
// Jitter at its midpoint (random 0.5 → factor 1), so delays are exactly the schedule's.
const noJitter = () => 0.5;

function decide(statusCode: number | null, attempts: number, extra: { retryAfter?: string; timedOut?: boolean } = {}) {
  return decideAfterAttempt({
    result: { statusCode, retryAfter: extra.retryAfter, timedOut: extra.timedOut ?? false },
    attempts,
    scheduleSeconds: SCHEDULE,
    nowMs: NOW,
    random: noJitter,
  });
}

describe('decideAfterAttempt', () => {
  it.each([200, 201, 202, 204, 299])('%i succeeds', (code) => {
    expect(decide(code, 1)).toEqual({ status: 'succeeded', nextAttemptAt: null });
  });

  it('410 stops for good, even with retries left', () => {
    expect(decide(410, 1)).toEqual({ status: 'gone', nextAttemptAt: null });
  });

  it.each([301, 302, 400, 401, 404, 500, 502, 503])('%i is retried on the schedule', (code) => {
    expect(decide(code, 1)).toEqual({ status: 'pending', nextAttemptAt: NOW + 5_000 });
    expect(decide(code, 2)).toEqual({ status: 'pending', nextAttemptAt: NOW + 300_000 });
  });

  it('a refused connection (no answer) is retried', () => {
    expect(decide(null, 1)).toEqual({ status: 'pending', nextAttemptAt: NOW + 5_000 });
  });

  it('a timeout or a 429 waits at least the overload penalty (60 s)', () => {
    expect(decide(null, 1, { timedOut: true })).toEqual({ status: 'pending', nextAttemptAt: NOW + 60_000 });
    expect(decide(429, 1)).toEqual({ status: 'pending', nextAttemptAt: NOW + 60_000 });
    expect(decide(429, 2)).toEqual({ status: 'pending', nextAttemptAt: NOW + 300_000 });
  });

  it('honours Retry-After within [delay, 2 × delay]', () => {
    expect(decide(503, 2, { retryAfter: '450' }).nextAttemptAt).toBe(NOW + 450_000);
    expect(decide(503, 2, { retryAfter: '86400' }).nextAttemptAt).toBe(NOW + 600_000);
    expect(decide(503, 2, { retryAfter: '1' }).nextAttemptAt).toBe(NOW + 300_000);
    expect(decide(503, 2, { retryAfter: 'Sun, 01 Mar 2026 12:07:00 GMT' }).nextAttemptAt).toBe(NOW + 420_000);
  });

  it('applies ±20 % jitter', () => {
    const low = decideAfterAttempt({ result: { statusCode: 500, retryAfter: undefined, timedOut: false }, attempts: 2, scheduleSeconds: SCHEDULE, nowMs: NOW, random: () => 0 });
    const high = decideAfterAttempt({ result: { statusCode: 500, retryAfter: undefined, timedOut: false }, attempts: 2, scheduleSeconds: SCHEDULE, nowMs: NOW, random: () => 0.999999 });
    expect(low.nextAttemptAt).toBe(NOW + 240_000);
    expect(high.nextAttemptAt).toBeGreaterThan(NOW + 359_000);
    expect(high.nextAttemptAt).toBeLessThanOrEqual(NOW + 360_000);
  });

  it('fails once the schedule is exhausted (1 attempt + one per delay)', () => {
    expect(decide(500, 3).status).toBe('pending');
    expect(decide(500, 4)).toEqual({ status: 'failed', nextAttemptAt: null });
    expect(decide(200, 4).status).toBe('succeeded');
  });
});
