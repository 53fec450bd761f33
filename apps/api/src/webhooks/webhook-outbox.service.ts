import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { uuid7 } from '../common/ids';
import { type AppConfig, InjectConfig } from '../config/app-config';
import type { RunEnd, RunRecord, RunWebhookFactory } from '../runs/run-record';
import type { NewWebhookDelivery } from './deliveries.repository';
import { buildWebhookPayload, webhookIdFor } from './run-webhook-payload';
import { isRelativeWebhook } from './webhook-url.validator';

/**
 * The producer side of the outbox: builds the delivery row a run end writes in its transaction, and wakes the
 * dispatcher once that transaction has committed, so a delivery never waits for a polling interval.
 */
@Injectable()
export class WebhookOutbox {
  private readonly listeners = new Set<() => void>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** For RunResult.delivery and the `webhookFor` of cancellations; null when the run has nothing to send. */
  readonly forRunEnd: RunWebhookFactory = (run: RunRecord, end: RunEnd): NewWebhookDelivery | null => {
    const webhook = run.kwargs.webhook;
    if (typeof webhook !== 'string' || webhook === '' || this.config.langgraph.http.disableWebhooks) return null;
    const url = isRelativeWebhook(webhook) ? `${this.ownOrigin()}${webhook}` : webhook;
    let endpoint: string;
    try {
      endpoint = new URL(url).origin;
    } catch {
      endpoint = url;
    }
    const nowMs = this.clock.now();
    return {
      delivery_id: uuid7(nowMs),
      webhook_id: webhookIdFor(run.run_id),
      run_id: run.run_id,
      thread_id: run.thread_id ?? null,
      // Provenance the scheduler recorded, never the client's metadata.
      cron_id: run.cron?.cron_id ?? null,
      url,
      endpoint,
      payload: buildWebhookPayload(run, end, this.config.langgraph.webhooks.allowedFields),
      created_at: nowMs,
    };
  };

  /** Call after a transaction that may have written deliveries has committed. */
  notify(): void {
    for (const listener of this.listeners) listener();
  }

  onWritten(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A relative webhook is a call into the server's own routes (custom ones included), under its mount prefix; the
   * path and query are kept byte for byte, so a `?token=` arrives as given.
   */
  private ownOrigin(): string {
    return `${this.config.selfUrl}${this.config.langgraph.http.mountPrefix}`;
  }
}
