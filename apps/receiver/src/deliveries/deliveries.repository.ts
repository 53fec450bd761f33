import type { NewDelivery, StoredDelivery } from './delivery.types';

/** Storage port for received deliveries; the abstract class is also the DI token. */
export abstract class DeliveriesRepository {
  /**
   * Stores a delivery unless its webhook-id is already known, in which case the stored one's duplicate count goes up
   * instead. Atomic, so concurrent attempts of one delivery are stored exactly once.
   */
  abstract saveOnce(delivery: NewDelivery): Promise<{ delivery: StoredDelivery; duplicate: boolean }>;

  /** Newest first. */
  abstract list(limit: number): Promise<StoredDelivery[]>;

  abstract findByWebhookId(webhookId: string): Promise<StoredDelivery | undefined>;

  /** Counts one more attempt seen for a webhook-id and returns the new count (for RECEIVER_FAIL_FIRST). */
  abstract countAttempt(webhookId: string): Promise<number>;
}
