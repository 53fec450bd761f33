import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { SearchDeliveriesDto, WebhookDelivery, WebhookDeliveryDetail } from '@runhook/contracts';
import { redactCredentials, redactCredentialsOrNull } from '@runhook/webhooks';
import { Clock } from '../common/clock';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { DeliveriesRepository } from './deliveries.repository';
import { type EndpointHealth, endpointHealth } from './endpoint-health';
import { WebhookDispatcher } from './webhook-dispatcher.service';

/**
 * The log shows which URL was called without its credentials (`?token=REDACTED`); the stored row keeps the real
 * URL, which is what is sent.
 */
function redactDelivery<T extends WebhookDelivery>(delivery: T): T {
  return { ...delivery, url: redactCredentials(delivery.url), last_error: redactCredentialsOrNull(delivery.last_error) };
}

/** Endpoint health looks at the attempts of the last hour, at most this many (newest first), so it stays one cheap query. */
export const HEALTH_WINDOW_MS = 60 * 60 * 1000;
export const HEALTH_MAX_ATTEMPTS = 5_000;

/** The delivery log: search, inspect, redeliver, and how each endpoint has answered lately. */
@Injectable()
export class DeliveriesService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: Clock,
  ) {}

  async search(query: SearchDeliveriesDto): Promise<{ items: WebhookDelivery[]; total: number }> {
    const { run_id, thread_id, cron_id, status, endpoint } = query;
    const page = await this.deliveries.search({ run_id, thread_id, cron_id, status, endpoint }, query.limit ?? 10, query.offset ?? 0);
    return { items: page.items.map(redactDelivery), total: page.total };
  }

  async endpoints(): Promise<EndpointHealth[]> {
    return endpointHealth(await this.deliveries.recentAttempts(this.clock.now() - HEALTH_WINDOW_MS, HEALTH_MAX_ATTEMPTS));
  }

  async get(deliveryId: string): Promise<WebhookDeliveryDetail> {
    const delivery = await this.deliveries.get(deliveryId);
    if (!delivery) throw new NotFoundException({ detail: `Webhook delivery ${deliveryId} not found` });
    return { ...redactDelivery(delivery), attempts_log: delivery.attempts_log.map((attempt) => ({ ...attempt, error: redactCredentialsOrNull(attempt.error) })) };
  }

  /**
   * A new attempt now, with the same webhook-id. When this process dispatches, the answer waits (bounded) for
   * that attempt, so it shows its outcome; otherwise the delivery is answered queued for the workers.
   */
  async redeliver(deliveryId: string): Promise<WebhookDeliveryDetail> {
    const result = await this.deliveries.redeliver(deliveryId, this.clock.now());
    if (result === 'not-found') throw new NotFoundException({ detail: `Webhook delivery ${deliveryId} not found` });
    if (result === 'in-flight') throw new ConflictException({ detail: `Webhook delivery ${deliveryId} is being sent right now; try again shortly` });
    if (this.dispatcher.enabled) {
      const attempted = this.dispatcher.waitForAttempt(deliveryId, this.config.webhooks.timeoutMs + 2_000);
      this.dispatcher.wake();
      await attempted;
    }
    return this.get(deliveryId);
  }
}
