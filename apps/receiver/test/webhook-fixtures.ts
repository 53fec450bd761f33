import { randomUUID } from 'node:crypto';
import { buildWebhookHeaders, parseSigningSecret } from '@runhook/webhooks';

export const TEST_SIGNING_SECRET = `whsec_${Buffer.from('receiver-test-secret-32-bytes-ok').toString('base64')}`;
export const OTHER_SIGNING_SECRET = `whsec_${Buffer.from('some-other-secret-32-bytes-long!').toString('base64')}`;
export const TEST_TOKEN = 'receiver-test-token';

/** A run-completion body as Runhook sends it, valid for `validateWebhookPayload`. */
export function buildRunPayload(overrides: { runEndedAt?: Date; status?: string; runId?: string } = {}): Record<string, unknown> {
  const endedAt = overrides.runEndedAt ?? new Date();
  const startedAt = new Date(endedAt.getTime() - 1500);
  return {
    assistant_id: 'fe096781-5601-53d2-b2f6-0d3403f7e9ca',
    created_at: startedAt.toISOString(),
    kwargs: { input: { messages: [{ role: 'user', content: 'hi' }] }, config: {}, stream_mode: ['values'] },
    metadata: {},
    multitask_strategy: 'reject',
    run_ended_at: endedAt.toISOString(),
    run_id: overrides.runId ?? randomUUID(),
    run_started_at: startedAt.toISOString(),
    status: overrides.status ?? 'success',
    thread_id: randomUUID(),
    updated_at: endedAt.toISOString(),
    values: { messages: [{ role: 'assistant', content: 'hello' }] },
    webhook_sent_at: endedAt.toISOString(),
  };
}

/** Standard Webhooks headers for `body`, signed with `secrets` (none: unsigned). */
export function signedHeaders(options: {
  webhookId: string;
  body: string;
  secrets?: string[];
  timestamp?: Date;
  attempt?: number;
}): Record<string, string> {
  return buildWebhookHeaders({
    id: options.webhookId,
    timestamp: options.timestamp ?? new Date(),
    body: options.body,
    secrets: (options.secrets ?? [TEST_SIGNING_SECRET]).map(parseSigningSecret),
    attempt: options.attempt ?? 1,
  });
}
