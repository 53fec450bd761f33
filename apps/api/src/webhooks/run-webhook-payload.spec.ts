import 'reflect-metadata';
import { validateWebhookPayload } from '@runhook/contracts';
import type { RunRecord } from '../runs/run-record';
import { buildWebhookPayload, RUN_WEBHOOK_NAMESPACE, stampSentAt, webhookIdFor } from './run-webhook-payload';
import { uuid5 } from '../common/ids';

const run: RunRecord = {
  run_id: '018f2c1e-8a5b-7c3d-9e4f-123456789abc',
  thread_id: '018f2c1e-8a5b-7c3d-9e4f-123456789abd',
  assistant_id: 'fe096781-5601-53d2-b2f6-0d3403f7e9ca',
  created_at: '2026-01-02T03:04:05.000Z',
  updated_at: '2026-01-02T03:04:05.500Z',
  status: 'running',
  metadata: { team: 'a' },
  multitask_strategy: 'enqueue',
  kwargs: {
    input: { messages: [{ role: 'user', content: 'hi' }] },
    config: { configurable: { graph_id: 'agent' } },
    stream_mode: ['values'],
    webhook: 'https://hooks.example.com/x?token=t',
    temporary: false,
    subgraphs: false,
    resumable: false,
  },
  attempt: 1,
  started_at: '2026-01-02T03:04:05.100Z',
  ended_at: null,
  error: null,
  final_values: null,
};
const ENDED = '2026-01-02T03:04:06.000Z';
const SENT = '2026-01-02T03:04:06.250Z';

describe('buildWebhookPayload', () => {
  it('is the run with its final status, start, end and values, and a valid WebhookPayload once stamped', () => {
    const payload = buildWebhookPayload(run, { status: 'success', endedAt: ENDED, error: null, values: { messages: ['m'] } }, null);
    const body = JSON.parse(stampSentAt(payload, SENT));

    expect(body).toEqual({
      run_id: run.run_id,
      thread_id: run.thread_id,
      assistant_id: run.assistant_id,
      created_at: run.created_at,
      updated_at: ENDED,
      status: 'success',
      metadata: { team: 'a' },
      multitask_strategy: 'enqueue',
      kwargs: run.kwargs,
      run_started_at: '2026-01-02T03:04:05.100Z',
      run_ended_at: ENDED,
      values: { messages: ['m'] },
      webhook_sent_at: SENT,
    });
    expect(validateWebhookPayload(body).ok).toBe(true);
  });

  it('carries error {error, message} on failure', () => {
    const error = { error: 'ValueError', message: 'boom' };
    const body = JSON.parse(buildWebhookPayload(run, { status: 'error', endedAt: ENDED, error, values: null }, null));

    expect(body.status).toBe('error');
    expect(body.error).toEqual(error);
  });

  it('keeps only allowed_fields', () => {
    const payload = buildWebhookPayload(run, { status: 'success', endedAt: ENDED, error: null, values: {} }, ['run_id', 'status', 'webhook_sent_at']);

    expect(JSON.parse(stampSentAt(payload, SENT))).toEqual({ run_id: run.run_id, status: 'success', webhook_sent_at: SENT });
  });

  it('is left as is by stamping when webhook_sent_at is filtered out', () => {
    const payload = buildWebhookPayload(run, { status: 'success', endedAt: ENDED, error: null, values: {} }, ['run_id']);

    expect(stampSentAt(payload, SENT)).toBe(payload);
  });

  it('is stamped on the placeholder only, even when a value contains the same text', () => {
    const values = { trap: '"webhook_sent_at":"0000-00-00T00:00:00.000Z"}' };
    const payload = buildWebhookPayload(run, { status: 'success', endedAt: ENDED, error: null, values }, null);
    const body = JSON.parse(stampSentAt(payload, SENT));

    expect(body.values).toEqual(values);
    expect(body.webhook_sent_at).toBe(SENT);
  });
});

describe('webhookIdFor', () => {
  it('is a pure function of the run id: the same every time, different for every run', () => {
    const runId = '0190aaaa-0000-7000-8000-000000000001';
    const id = webhookIdFor(runId);

    expect(id).toBe(webhookIdFor(runId));
    expect(id).toBe(uuid5(runId, RUN_WEBHOOK_NAMESPACE));
    expect(webhookIdFor('0190aaaa-0000-7000-8000-000000000002')).not.toBe(id);
  });
});
