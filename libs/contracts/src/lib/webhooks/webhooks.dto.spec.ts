import { validateContract } from '../common/contract-validation.util';
import { SearchDeliveriesDto } from './search-deliveries.dto';
import type { WebhookPayload } from './webhook.types';
import { validateWebhookPayload } from './webhook-payload.validator';

const payload: WebhookPayload = {
  run_id: '018f2c1e-8a5b-7c3d-9e4f-123456789abc',
  thread_id: '018f2c1e-8a5b-7c3d-9e4f-123456789abd',
  assistant_id: 'fe096781-5601-53d2-b2f6-0d3403f7e9ca',
  created_at: '2026-01-02T03:04:05.000Z',
  updated_at: '2026-01-02T03:04:06.000Z',
  status: 'success',
  metadata: { graph_id: 'agent' },
  multitask_strategy: 'enqueue',
  kwargs: { config: {}, stream_mode: ['values'], temporary: false, subgraphs: false, resumable: false },
  run_started_at: '2026-01-02T03:04:05.100+00:00',
  run_ended_at: '2026-01-02T03:04:06.000Z',
  webhook_sent_at: '2026-01-02T03:04:06.500Z',
  values: { messages: [] },
};

describe('validateWebhookPayload', () => {
  it('accepts a delivery body and returns it without unknown fields', () => {
    const sut = validateWebhookPayload({ ...payload, cancel_reason: null });

    expect(sut).toEqual({ ok: true, payload });
  });

  it('accepts a failed run with its error and a run that never started', () => {
    const failed = { ...payload, status: 'error', error: { error: 'ValueError', message: 'boom' } };
    const cancelled = { ...payload, status: 'interrupted', run_started_at: null, run_ended_at: null, values: null };

    expect(validateWebhookPayload(failed).ok).toBe(true);
    expect(validateWebhookPayload(cancelled).ok).toBe(true);
  });

  it('catches a missing run_id', () => {
    const { run_id: _, ...body } = payload;

    expect(validateWebhookPayload(body)).toEqual({ ok: false, errors: ['run_id must be a UUID'] });
  });

  it('catches a bad status', () => {
    expect(validateWebhookPayload({ ...payload, status: 'done' })).toEqual({
      ok: false,
      errors: ['status must be one of the following values: pending, running, error, success, timeout, interrupted'],
    });
  });

  it('names every wrong field, nested ones by path', () => {
    const sut = validateWebhookPayload({
      ...payload,
      webhook_sent_at: 'now',
      run_started_at: undefined,
      kwargs: 'x',
      error: { error: 'ValueError' },
    });

    expect(!sut.ok && sut.errors.sort()).toEqual([
      'error.message must be a string',
      'kwargs must be an object',
      'run_started_at must be a valid ISO 8601 date string',
      'webhook_sent_at must be a valid ISO 8601 date string',
    ]);
  });

  it('rejects a body that is not an object', () => {
    expect(validateWebhookPayload('{"run_id":"x"}')).toEqual({ ok: false, errors: ['body must be a JSON object'] });
  });
});

describe('SearchDeliveriesDto', () => {
  it('reads the delivery-log query from text', () => {
    const query = { limit: '50', offset: '0', status: 'failed', run_id: payload.run_id };

    expect(validateContract(SearchDeliveriesDto, query)).toEqual({
      ok: true,
      value: { limit: 50, offset: 0, status: 'failed', run_id: payload.run_id },
    });
    expect(validateContract(SearchDeliveriesDto, { status: 'lost' }).ok).toBe(false);
  });
});
