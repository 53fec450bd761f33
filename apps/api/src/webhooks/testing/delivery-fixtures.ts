import { uuid7 } from '../../common/ids';
import type { NewWebhookDelivery } from '../deliveries.repository';

let sequence = 0;

/** An outbox row for tests; `endpoint` follows the URL. */
export function newDelivery(overrides: Partial<NewWebhookDelivery> = {}): NewWebhookDelivery {
  sequence += 1;
  const url = overrides.url ?? 'http://127.0.0.1:9/hook?token=t';
  return {
    delivery_id: uuid7(),
    webhook_id: uuid7(),
    run_id: uuid7(),
    thread_id: uuid7(),
    cron_id: null,
    url,
    endpoint: new URL(url).origin,
    payload: JSON.stringify({ seq: sequence, webhook_sent_at: '0000-00-00T00:00:00.000Z' }),
    created_at: Date.parse('2026-03-01T12:00:00.000Z'),
    ...overrides,
  };
}
