import type { Logger } from '@nestjs/common';
import { buildWebhookHeaders, redactCredentials } from '@runhook/webhooks';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import type { RunhookMetrics } from '../observability/runhook-metrics';
import type { ClaimedDelivery, DeliveryCompletion } from './deliveries.repository';
import { decideAfterAttempt } from './delivery-policy';
import { stampSentAt } from './run-webhook-payload';
import type { WebhookSender } from './webhook-sender';
import { checkUrlPolicy } from './webhook-url-policy';

/**
 * One attempt of a delivery, as the dispatcher makes it once the delivery has its slot: the policy of this process
 * checked again, the body stamped and signed, the send, the outcome decided, counted and logged.
 */
export class WebhookAttempts {
  constructor(
    private readonly config: AppConfig,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    private readonly metrics: RunhookMetrics,
    private readonly owner: string,
    private readonly logger: Logger,
  ) {}

  /**
   * A relative webhook was stored as this server's own origin plus its path: it is checked as the relative URL it
   * was (allowed while loopback is), since `allowed_domains` and the like speak of other hosts.
   */
  private policyProblem(url: string): string | null {
    const policy = this.config.langgraph.webhooks.url;
    const ownOrigin = `${this.config.selfUrl}${this.config.langgraph.http.mountPrefix}/`;
    if (url.startsWith(ownOrigin)) return policy.disableLoopback ? 'relative webhook URLs need webhooks.url.disable_loopback: false' : null;
    return checkUrlPolicy(url, policy).problem;
  }

  /** The outcome of one attempt, or null when shutdown stopped it: then it is no attempt, and the row goes back. */
  async make(delivery: ClaimedDelivery, handBack: AbortSignal): Promise<DeliveryCompletion | null> {
    const { webhooks, version } = this.config;
    const attempt = delivery.attempts + 1;
    const startedAt = this.clock.now();
    // The policy of this process applies to every attempt, not only the one it accepted: a tightened
    // `webhooks.url` also stops retries queued under the old one.
    const refusal = this.policyProblem(delivery.url);
    if (refusal !== null) return this.refused(delivery, attempt, startedAt, `refused by webhooks.url policy: ${refusal}`);
    const body = stampSentAt(delivery.payload, new Date(startedAt).toISOString());
    const headers: Record<string, string> = {
      ...webhooks.headers,
      'content-type': 'application/json',
      'user-agent': `Runhook/${version}`,
      ...buildWebhookHeaders({ id: delivery.webhook_id, timestamp: new Date(startedAt), body, secrets: [...webhooks.signingSecrets], attempt }),
    };
    const began = performance.now();
    const result = await this.sender.send({ url: delivery.url, headers, body, signal: handBack });
    if (result.statusCode === null && handBack.aborted) return null;
    const durationMs = Math.round(performance.now() - began);
    const now = this.clock.now();
    const decision = decideAfterAttempt({ result, attempts: attempt, scheduleSeconds: webhooks.retryScheduleSeconds, nowMs: now });
    const outcome = decision.status === 'pending' ? 'retry' : decision.status;
    this.metrics.deliveryAttempted(outcome, durationMs);
    // The endpoint is scheme://host:port only: the URL's path and query (a `?token=`) stay out of the log.
    this.logger.log({ msg: 'webhook attempt', ...this.ids(delivery), attempt, outcome, status_code: result.statusCode, duration_ms: durationMs, endpoint: delivery.endpoint });
    if (decision.status === 'failed' || decision.status === 'gone') {
      this.logger.warn(redactCredentials(`webhook delivery ${delivery.delivery_id} to ${delivery.endpoint} ${decision.status} after ${attempt} attempt(s): ${result.error}`));
    }
    return {
      delivery_id: delivery.delivery_id,
      owner: this.owner,
      attempt: {
        attempt,
        started_at: startedAt,
        duration_ms: durationMs,
        status_code: result.statusCode,
        error: result.error,
        response_excerpt: result.excerpt,
      },
      status: decision.status,
      next_attempt_at: decision.nextAttemptAt,
      now,
    };
  }

  /** An attempt the policy stops before any connection: recorded with its reason, and final. */
  private refused(delivery: ClaimedDelivery, attempt: number, startedAt: number, reason: string): DeliveryCompletion {
    this.metrics.deliveryAttempted('refused', null);
    this.logger.log({ msg: 'webhook attempt', ...this.ids(delivery), attempt, outcome: 'refused', endpoint: delivery.endpoint });
    this.logger.warn(redactCredentials(`webhook delivery ${delivery.delivery_id} to ${delivery.endpoint} ${reason}`));
    return {
      delivery_id: delivery.delivery_id,
      owner: this.owner,
      attempt: { attempt, started_at: startedAt, duration_ms: 0, status_code: null, error: reason, response_excerpt: null },
      status: 'refused',
      next_attempt_at: null,
      now: this.clock.now(),
    };
  }

  private ids(delivery: ClaimedDelivery): { delivery_id: string; run_id: string; thread_id: string | null; cron_id: string | null } {
    return { delivery_id: delivery.delivery_id, run_id: delivery.run_id, thread_id: delivery.thread_id, cron_id: delivery.cron_id };
  }
}
