/**
 * The Standard Webhooks example schedule: delays in seconds before each retry (5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 14 h, 20 h, 24 h). With the first attempt that is 10 attempts over about 3.15 days.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = Object.freeze([
  5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400,
]);

/** Each delay is moved by up to this fraction either way, so retries of many deliveries do not arrive in lockstep. */
export const RETRY_JITTER_FRACTION = 0.2;

/** The shortest wait after a timeout or a 429. */
export const OVERLOAD_PENALTY_SECONDS = 60;

export interface NextRetryDelayInput {
  /** How many attempts have already been made (1 after the first attempt failed). */
  attempt: number;
  /** Delays in seconds before each retry, e.g. DEFAULT_RETRY_SCHEDULE_SECONDS. */
  schedule: readonly number[];
  /** A source of numbers in [0, 1); replace it in tests for deterministic jitter. */
  random?: () => number;
  /** The receiver's Retry-After, in seconds (see parseRetryAfter). */
  retryAfterSeconds?: number;
  /** The attempt timed out or was answered 429. */
  overloaded?: boolean;
}

/** Parses a comma-separated list of delays in seconds, e.g. `5,300,1800`. */
export function parseRetrySchedule(csv: string): number[] {
  const entries = csv.split(',').map((entry) => entry.trim());
  if (entries.length === 1 && entries[0] === '') {
    throw new Error('retry schedule is empty: expected comma-separated delays in seconds, e.g. "5,300,1800"');
  }
  return entries.map((entry, index) => {
    const seconds = entry === '' ? Number.NaN : Number(entry);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new Error(`retry schedule entry #${index + 1} (${JSON.stringify(entry)}) is not a positive number of seconds`);
    }
    return seconds;
  });
}

/** Milliseconds to wait before the next attempt, or null when the schedule is exhausted and the delivery has failed. */
export function nextRetryDelayMs({
  attempt,
  schedule,
  random = Math.random,
  retryAfterSeconds,
  overloaded = false,
}: NextRetryDelayInput): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new Error(`attempt must be a positive integer count of attempts made, got ${attempt}`);
  }
  if (attempt > schedule.length) {
    return null;
  }
  const baseMs = schedule[attempt - 1] * 1000;
  let delayMs = baseMs * (1 + (random() * 2 - 1) * RETRY_JITTER_FRACTION);
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds)) {
    // Honour the receiver's wish, but neither hurry the schedule nor let one header park the delivery for days.
    delayMs = Math.min(Math.max(retryAfterSeconds * 1000, baseMs), 2 * baseMs);
  }
  if (overloaded) {
    // A timeout or 429 means the receiver is struggling; retrying within seconds would only add to its load.
    delayMs = Math.max(delayMs, OVERLOAD_PENALTY_SECONDS * 1000);
  }
  return Math.round(delayMs);
}

/** Reads a Retry-After header (delay in seconds or an HTTP date) as whole seconds from `now`; undefined if unusable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) {
    return undefined;
  }
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed);
  }
  // Only a date with letters (a weekday or month name) is an HTTP date; this keeps "1.5" or "-3" from parsing.
  if (!/[A-Za-z]/.test(trimmed)) {
    return undefined;
  }
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
