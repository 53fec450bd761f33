import { Injectable, Logger } from '@nestjs/common';
import type { WebhookDelivery, WebhookDeliveryDetail } from '@runhook/contracts';
import { DeliveriesRepository, type ClaimedDelivery, type RedeliverResult } from './deliveries.repository';

/**
 * Stand-in for a store that has no deliveries adapter yet (PostgreSQL until its adapter lands): the server starts,
 * says so once, and the delivery log stays empty. Replace it in persistence.module with the real adapter.
 */
@Injectable()
export class UnavailableDeliveriesRepository extends DeliveriesRepository {
  constructor() {
    super();
    new Logger('Webhooks').warn('this database has no webhook deliveries adapter yet: run-end webhooks are not sent');
  }

  async insert(): Promise<boolean> {
    return false;
  }
  async claim(): Promise<ClaimedDelivery[]> {
    return [];
  }
  async complete(): Promise<void> {
    // Nothing was claimed, so there is nothing to record.
  }
  async reclaimExpired(): Promise<number> {
    return 0;
  }
  async nextDueAt(): Promise<number | null> {
    return null;
  }
  async redeliver(): Promise<RedeliverResult> {
    return 'not-found';
  }
  async get(): Promise<WebhookDeliveryDetail | null> {
    return null;
  }
  async search(): Promise<{ items: WebhookDelivery[]; total: number }> {
    return { items: [], total: 0 };
  }
  async purge(): Promise<number> {
    return 0;
  }
}
