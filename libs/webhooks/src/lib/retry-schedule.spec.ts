import {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  nextRetryDelayMs,
  parseRetryAfter,
  parseRetrySchedule,
} from './retry-schedule';

const NO_JITTER = (): number => 0.5;
const MOST_NEGATIVE_JITTER = (): number => 0;
const MOST_POSITIVE_JITTER = (): number => 0.999999;

describe('DEFAULT_RETRY_SCHEDULE_SECONDS', () => {
  it('is the Standard Webhooks example schedule, about three days in all', () => {
    expect(DEFAULT_RETRY_SCHEDULE_SECONDS).toEqual([5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    const totalHours = DEFAULT_RETRY_SCHEDULE_SECONDS.reduce((sum, seconds) => sum + seconds, 0) / 3600;
    expect(totalHours).toBeCloseTo(75.58, 1);
  });
});

describe('parseRetrySchedule', () => {
  it.each([
    ['5,300,1800', [5, 300, 1800]],
    [' 5 , 300 ', [5, 300]],
    ['0.05,0.1', [0.05, 0.1]],
    ['7', [7]],
  ])('parses %j', (csv, schedule) => {
    expect(parseRetrySchedule(csv)).toEqual(schedule);
  });

  it.each([
    ['', /empty/],
    ['5,,300', /entry #2 \(""\)/],
    ['5,abc', /entry #2 \("abc"\)/],
    ['0', /entry #1 \("0"\) is not a positive/],
    ['-5', /entry #1/],
    ['5,Infinity', /entry #2/],
    ['5,300,', /entry #3/],
  ])('rejects %j', (csv, message) => {
    expect(() => parseRetrySchedule(csv)).toThrow(message);
  });
});

describe('nextRetryDelayMs', () => {
  const schedule = [5, 300, 1800];

  it.each([
    [1, 5_000],
    [2, 300_000],
    [3, 1_800_000],
  ])('after %i attempt(s) waits the scheduled delay', (attempt, delayMs) => {
    expect(nextRetryDelayMs({ attempt, schedule, random: NO_JITTER })).toBe(delayMs);
  });

  it('returns null once the schedule is exhausted', () => {
    expect(nextRetryDelayMs({ attempt: 4, schedule, random: NO_JITTER })).toBeNull();
    expect(nextRetryDelayMs({ attempt: 1, schedule: [], random: NO_JITTER })).toBeNull();
  });

  it.each([
    [MOST_NEGATIVE_JITTER, 240_000],
    [MOST_POSITIVE_JITTER, 360_000],
  ])('keeps jitter within ±20%%', (random, delayMs) => {
    expect(nextRetryDelayMs({ attempt: 2, schedule, random })).toBeCloseTo(delayMs, -1);
  });

  it.each([
    ['inside the bounds', 450, 450_000],
    ['below the base', 10, 300_000],
    ['above twice the base', 86_400, 600_000],
    ['zero', 0, 300_000],
  ])('clamps a Retry-After %s to [base, 2×base]', (_label, retryAfterSeconds, delayMs) => {
    expect(nextRetryDelayMs({ attempt: 2, schedule, random: MOST_NEGATIVE_JITTER, retryAfterSeconds })).toBe(delayMs);
  });

  it('waits at least 60 s after a timeout or 429', () => {
    expect(nextRetryDelayMs({ attempt: 1, schedule, random: MOST_POSITIVE_JITTER, overloaded: true })).toBe(60_000);
  });

  it('keeps a larger scheduled delay when overloaded', () => {
    expect(nextRetryDelayMs({ attempt: 2, schedule, random: NO_JITTER, overloaded: true })).toBe(300_000);
  });

  it.each([0, -1, 1.5])('rejects attempt %p', (attempt) => {
    expect(() => nextRetryDelayMs({ attempt, schedule })).toThrow(/positive integer/);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2025-03-01T12:00:00Z');

  it.each([
    ['seconds', '120', 120],
    ['zero seconds', '0', 0],
    ['padded seconds', ' 30 ', 30],
    ['an HTTP date in the future', 'Sat, 01 Mar 2025 12:01:30 GMT', 90],
    ['an HTTP date in the past', 'Sat, 01 Mar 2025 11:00:00 GMT', 0],
    ['missing', undefined, undefined],
    ['empty', '', undefined],
    ['a fraction', '1.5', undefined],
    ['a negative number', '-3', undefined],
    ['garbage', 'soon', undefined],
  ])('reads %s', (_label, value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });
});
