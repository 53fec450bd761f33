import { nextRetryDelayMs, parseRetryAfter } from '@runhook/webhooks';
import type { DeliveryStatus } from '@runhook/contracts';
import type { SendResult } from './webhook-sender';

export interface AttemptDecision {
  status: Exclude<DeliveryStatus, 'delivering'>;
  /** When to try again; set only for `pending`. */
  nextAttemptAt: number | null;
}

export interface DecideInput {
  result: Pick<SendResult, 'statusCode' | 'retryAfter' | 'timedOut'>;
  /** Attempts made, this one included. */
  attempts: number;
  scheduleSeconds: readonly number[];
  nowMs: number;
  random?: () => number;
}

/**
 * What becomes of a delivery after an attempt: 2xx succeeds, 410 stops it for good (`gone`), anything else
 * (3xx, other 4xx, 5xx, 429, timeout, refused connection) is retried on the schedule with jitter and the
 * receiver's Retry-After, until the schedule runs out (`failed`).
 */
export function decideAfterAttempt({ result, attempts, scheduleSeconds, nowMs, random }: DecideInput): AttemptDecision {
  const code = result.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: 'succeeded', nextAttemptAt: null };
  if (code === 410) return { status: 'gone', nextAttemptAt: null };
  const delay = nextRetryDelayMs({
    attempt: attempts,
    schedule: scheduleSeconds,
    random,
    retryAfterSeconds: parseRetryAfter(result.retryAfter, new Date(nowMs)),
    overloaded: result.timedOut || code === 429,
  });
  if (delay === null) return { status: 'failed', nextAttemptAt: null };
  return { status: 'pending', nextAttemptAt: nowMs + delay };
}
