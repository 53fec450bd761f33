import { Injectable } from '@nestjs/common';
import { AggregatorRegistry, Gauge, type PrometheusContentType, Registry } from 'prom-client';
import { Clock } from '../common/clock';
import { MetricsRepository } from './metrics.repository';
import { RunhookMetrics } from './runhook-metrics';

/**
 * Builds a `/metrics` answer: this process's instruments summed with its forked workers' (each counter,
 * histogram and pool gauge added up; event-loop lag averaged, as prom-client's aggregators say), plus the queue
 * gauges, read from the database once per scrape because they are the same whichever process asks.
 */
@Injectable()
export class MetricsService {
  private readonly queueRegistry = new Registry();
  private readonly pendingRuns = this.gauge('runhook_runs_pending', 'Runs waiting to be claimed (delayed ones included).');
  private readonly oldestRun = this.gauge('runhook_runs_oldest_pending_age_seconds', 'How long the oldest due, unclaimed run has waited (0 when none).');
  private readonly dueDeliveries = this.gauge('runhook_webhook_deliveries_due', 'Webhook deliveries whose next attempt is due and not yet claimed.');
  private readonly oldestDelivery = this.gauge('runhook_webhook_oldest_due_age_seconds', 'How long the longest-waiting due delivery has waited (0 when none).');

  constructor(
    private readonly metrics: RunhookMetrics,
    private readonly repository: MetricsRepository,
    private readonly clock: Clock,
  ) {}

  get contentType(): string {
    return this.metrics.registry.contentType;
  }

  /** The Prometheus text exposition of every process this one speaks for. */
  async scrape(): Promise<string> {
    const nowMs = this.clock.now();
    const figures = await this.repository.queueFigures(nowMs);
    const age = (sinceMs: number | null) => (sinceMs === null ? 0 : Math.max(0, nowMs - sinceMs) / 1000);
    this.pendingRuns.set(figures.pendingRuns);
    this.oldestRun.set(age(figures.oldestDueRunAtMs));
    this.dueDeliveries.set(figures.dueDeliveries);
    this.oldestDelivery.set(age(figures.oldestDueDeliveryAtMs));
    // Alone, this process's registry is rendered as it is; summing snapshots costs a copy of every value.
    const own = this.metrics.speaksForOthers ? AggregatorRegistry.aggregate<PrometheusContentType>(await this.metrics.snapshots()) : this.metrics.registry;
    return Registry.merge([own, this.queueRegistry]).metrics();
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.queueRegistry] });
  }
}
