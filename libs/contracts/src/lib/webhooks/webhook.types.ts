import type { Run, RunError } from '../runs/run.types';

/** Body of a run-completion webhook: the run with its final status, plus the fields below. */
export type WebhookPayload = Run & {
  run_started_at: string | null;
  run_ended_at: string | null;
  webhook_sent_at: string;
  /** Final state values; null for stateless runs. */
  values: unknown;
  /** Only when the run failed. */
  error?: RunError;
};

export const DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed', 'gone', 'refused'] as const;
/**
 * `gone`: the receiver answered 410, so the delivery is not retried. `refused`: the server's `webhooks.url` policy,
 * checked again before every attempt, no longer allows the URL; the attempt's error says which rule.
 */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  delivery_id: string;
  webhook_id: string;
  run_id: string;
  thread_id: string | null;
  cron_id: string | null;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface WebhookAttempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  /** null when no HTTP answer arrived (timeout, network error). */
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
}

export type WebhookDeliveryDetail = WebhookDelivery & { attempts_log: WebhookAttempt[] };
