import type { ApiResponseSchemaHost } from '@nestjs/swagger';
import { DELIVERY_STATUSES } from '@runhook/contracts';

type SchemaObject = ApiResponseSchemaHost['schema'];

const time = (description: string, nullable = false): SchemaObject => ({ type: 'string', format: 'date-time', nullable, description });

/** OpenAPI shape of `WebhookDelivery` (@runhook/contracts), which carries no Swagger decorators itself. */
export const DELIVERY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['delivery_id', 'webhook_id', 'run_id', 'url', 'status', 'attempts', 'created_at', 'updated_at'],
  properties: {
    delivery_id: { type: 'string', format: 'uuid' },
    webhook_id: { type: 'string', description: 'The Standard Webhooks `webhook-id`, the same on every attempt' },
    run_id: { type: 'string', format: 'uuid' },
    thread_id: { type: 'string', format: 'uuid', nullable: true },
    cron_id: { type: 'string', format: 'uuid', nullable: true },
    url: { type: 'string' },
    status: { type: 'string', enum: [...DELIVERY_STATUSES], description: '`gone`: the receiver answered 410, so it is not retried; `refused`: the webhooks.url policy, checked before every attempt, no longer allows the URL' },
    attempts: { type: 'integer' },
    next_attempt_at: time('When the next attempt is due (pending only)', true),
    last_status_code: { type: 'integer', nullable: true },
    last_error: { type: 'string', nullable: true },
    created_at: time('When the run ended and the delivery was written'),
    updated_at: time('Last change'),
    delivered_at: time('When a receiver answered 2xx', true),
  },
};

export const ATTEMPT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    attempt: { type: 'integer' },
    started_at: time('When the attempt began'),
    duration_ms: { type: 'integer' },
    status_code: { type: 'integer', nullable: true, description: 'null when no HTTP answer arrived (timeout, network error)' },
    error: { type: 'string', nullable: true },
    response_excerpt: { type: 'string', nullable: true, description: 'The first bytes (at most 4 KB) of the answer' },
  },
};

export const DELIVERY_DETAIL_SCHEMA: SchemaObject = {
  allOf: [DELIVERY_SCHEMA, { type: 'object', properties: { attempts_log: { type: 'array', items: ATTEMPT_SCHEMA } } }],
};

export const ENDPOINT_HEALTH_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    endpoint: { type: 'string', description: 'scheme://host:port' },
    attempts: { type: 'integer', description: 'Attempts in the window' },
    success_rate: { type: 'number', description: 'Share of attempts answered 2xx, 0..1' },
    p50_latency_ms: { type: 'integer' },
    last_attempt_at: time('Newest attempt'),
    last_status_code: { type: 'integer', nullable: true },
    failing_since: time('First attempt of the current unbroken run of failures', true),
  },
};
