import { RunhookMetrics } from '../observability/runhook-metrics';
import { SqliteDeliveriesRepository } from './sqlite-deliveries.repository';
import { ManualClock } from './testing/manual-clock';
import { openTemporarySqlite } from './testing/temporary-sqlite';
import { webhookTestConfig } from './testing/webhook-test-config';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookOutbox } from './webhook-outbox.service';
import type { WebhookSender } from './webhook-sender';

/** The dispatcher is never started here, so nothing is sent. */
const NOT_STARTED_SENDER = {} as WebhookSender;

describe('WebhookDispatcher.waitForAttempt', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('forgets a waiter whose attempt never came once it times out', async () => {
    const store = openTemporarySqlite();
    const config = webhookTestConfig();
    const clock = new ManualClock();
    const sut = new WebhookDispatcher(config, new SqliteDeliveriesRepository(store.db), new WebhookOutbox(config, clock), NOT_STARTED_SENDER, clock, new RunhookMetrics());
    try {
      // Redeliveries answered from this process while another one sends them: no attempt is recorded here.
      const waits = Array.from({ length: 50 }, (_, i) => sut.waitForAttempt(`delivery-${i % 10}`, 1_000));
      expect(sut.waiterCount).toBe(50);
      jest.advanceTimersByTime(1_000);
      await Promise.all(waits);
      expect(sut.waiterCount).toBe(0);
    } finally {
      await store.close();
    }
  });
});
