import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { SearchDeliveriesDto, WebhookDelivery, WebhookDeliveryDetail } from '@runhook/contracts';
import { redactCredentials, redactCredentialsOrNull } from '@runhook/webhooks';
import { Clock } from '../common/clock';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryVisibility } from './delivery-visibility';
import { type EndpointHealth, endpointHealth } from './endpoint-health';
import { WebhookDispatcher } from './webhook-dispatcher.service';

/**
 * The log shows which URL was called without its credentials (`?token=REDACTED`); the stored row keeps the real
 * URL, which is what is sent.
 */
function redactDelivery<T extends WebhookDelivery>(delivery: T): T {
  return { ...delivery, url: redactCredentials(delivery.url), last_error: redactCredentialsOrNull(delivery.last_error) };
}

/** scheme://host:port of a delivery's URL, as the outbox stored its endpoint. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
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
    private readonly visibility: DeliveryVisibility,
  ) {}

  async search(query: SearchDeliveriesDto): Promise<{ items: WebhookDelivery[]; total: number }> {
    const { run_id, thread_id, cron_id, status, endpoint } = query;
    const filter = { run_id, thread_id, cron_id, status, endpoint };
    const limit = query.limit ?? 10;
    const offset = query.offset ?? 0;
    const visible = await this.visibility.check(thread_id ?? null);
    if (!visible) {
      const page = await this.deliveries.search(filter, limit, offset);
      return { items: page.items.map(redactDelivery), total: page.total };
    }
    const all = await this.visibility.scan(async (from, size) => (await this.deliveries.search(filter, size, from)).items, visible);
    return { items: all.slice(offset, offset + limit).map(redactDelivery), total: all.length };
  }

  /** With custom auth, only the endpoints the caller's own deliveries were sent to. */
  async endpoints(): Promise<EndpointHealth[]> {
    const health = endpointHealth(await this.deliveries.recentAttempts(this.clock.now() - HEALTH_WINDOW_MS, HEALTH_MAX_ATTEMPTS));
    const visible = await this.visibility.check();
    if (!visible) return health;
    const own = await this.visibility.scan(async (from, size) => (await this.deliveries.search({}, size, from)).items, visible);
    const endpoints = new Set(own.map((delivery) => originOf(delivery.url)));
    return health.filter((entry) => endpoints.has(entry.endpoint));
  }

  async get(deliveryId: string): Promise<WebhookDeliveryDetail> {
    const delivery = await this.deliveries.get(deliveryId);
    const visible = delivery ? await this.visibility.check() : null;
    if (!delivery || (visible && !(await visible(delivery)))) throw new NotFoundException({ detail: `Webhook delivery ${deliveryId} not found` });
    return { ...redactDelivery(delivery), attempts_log: delivery.attempts_log.map((attempt) => ({ ...attempt, error: redactCredentialsOrNull(attempt.error) })) };
  }

  /**
   * A new attempt now, with the same webhook-id. When this process dispatches, the answer waits (bounded) for
   * that attempt, so it shows its outcome; otherwise the delivery is answered queued for the workers.
   */
  async redeliver(deliveryId: string): Promise<WebhookDeliveryDetail> {
    // Someone else's delivery is answered as missing, before anything is queued.
    await this.get(deliveryId);
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
