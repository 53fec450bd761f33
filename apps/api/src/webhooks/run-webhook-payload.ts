import type { WebhookPayload } from '@runhook/contracts';
import { uuid5 } from '../common/ids';
import type { RunEnd, RunRecord } from '../runs/run-record';

/** Fixed namespace of webhook ids: a run's id always maps to the same webhook-id. */
export const RUN_WEBHOOK_NAMESPACE = '3f0c6a52-9a41-5e1b-8d7c-6b2f4e9a1c30';

/** Stored in place of `webhook_sent_at`: same length as any ISO timestamp, so stamping is a splice. */
const SENT_AT_PLACEHOLDER = '0000-00-00T00:00:00.000Z';
const SENT_AT_TAIL = `"webhook_sent_at":"${SENT_AT_PLACEHOLDER}"}`;

/**
 * The webhook-id of a run's delivery: a pure function of the run, the same on every attempt and redelivery and
 * different for every run. Nothing a client sends takes part in it. A cron firing's run id is itself derived
 * from (cron, scheduled time), so a firing that happened twice could never reach a receiver as two events.
 */
export function webhookIdFor(runId: string): string {
  return uuid5(runId, RUN_WEBHOOK_NAMESPACE);
}

/**
 * The exact JSON body of a run's webhook, built once at run end: the run with its final status, its start and end,
 * the final values and, on failure, the error. `allowedFields` keeps only those top-level keys. `webhook_sent_at`
 * comes last as a placeholder that `stampSentAt` fills at each attempt.
 */
export function buildWebhookPayload(run: RunRecord, end: RunEnd, allowedFields: readonly string[] | null): string {
  const body: WebhookPayload = {
    run_id: run.run_id,
    thread_id: run.thread_id,
    assistant_id: run.assistant_id,
    created_at: run.created_at,
    updated_at: end.endedAt,
    status: end.status,
    metadata: run.metadata,
    multitask_strategy: run.multitask_strategy,
    kwargs: run.kwargs,
    run_started_at: run.started_at,
    run_ended_at: end.endedAt,
    values: end.values ?? null,
    ...(end.error ? { error: end.error } : {}),
    webhook_sent_at: SENT_AT_PLACEHOLDER,
  };
  if (!allowedFields) return JSON.stringify(body);
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (allowedFields.includes(key)) kept[key] = value;
  return JSON.stringify(kept);
}

/** The body of one attempt: the stored payload with `webhook_sent_at` set to `sentAt` (an ISO timestamp). */
export function stampSentAt(payload: string, sentAt: string): string {
  if (sentAt.length !== SENT_AT_PLACEHOLDER.length || !payload.endsWith(SENT_AT_TAIL)) return payload;
  return `${payload.slice(0, payload.length - SENT_AT_TAIL.length)}"webhook_sent_at":"${sentAt}"}`;
}
