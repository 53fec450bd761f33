import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';

/** What `Registry.getMetricsAsJSON()` gives: the form a worker process sends its metrics in over IPC. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Another process's metrics, asked for at scrape time (the forked workers, over IPC). */
export type RemoteMetricsSource = () => Promise<MetricsSnapshot[]>;

/** The end states a run is counted under; a lost worker's run ends as `error`. */
export type RunEndStatus = 'success' | 'error' | 'interrupted';

/** Each delivery attempt's outcome: `retry` when another attempt is scheduled, the others are final. */
export type DeliveryOutcome = 'succeeded' | 'retry' | 'failed' | 'gone' | 'refused';

/** The pool figures `pg.Pool` exposes. */
export interface PoolUse {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

// Runs last from milliseconds (echo) to many minutes (agents calling models).
const RUN_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const ATTEMPT_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
const LAG_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];

/**
 * The instruments every process of the build records into (api, worker, scheduler, forked workers). Labels are
 * closed sets only (a status, an outcome, a pool state): never a run, thread, cron or endpoint id.
 */
@Injectable()
export class RunhookMetrics {
  readonly registry = new Registry();
  private readonly remoteSources: RemoteMetricsSource[] = [];

  readonly runsCreated = new Counter({ name: 'runhook_runs_created_total', help: 'Runs created (API and cron firings).', registers: [this.registry] });
  readonly runsStarted = new Counter({
    name: 'runhook_runs_started_total',
    help: 'Run attempts started by a worker (a retried run counts once per attempt).',
    registers: [this.registry],
  });
  readonly runsEnded = new Counter({
    name: 'runhook_runs_ended_total',
    help: 'Runs ended, by final status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: 'runhook_run_duration_seconds',
    help: 'Time from a worker starting a run attempt to the run ending, by final status.',
    labelNames: ['status'] as const,
    buckets: RUN_SECONDS,
    registers: [this.registry],
  });
  readonly deliveryAttempts = new Counter({
    name: 'runhook_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (retry: another attempt is scheduled; the others end the delivery).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly attemptDuration = new Histogram({
    name: 'runhook_webhook_attempt_duration_seconds',
    help: 'Latency of one webhook delivery attempt (connect to answer, or to the error).',
    buckets: ATTEMPT_SECONDS,
    registers: [this.registry],
  });
  readonly cronFirings = new Counter({ name: 'runhook_cron_firings_total', help: 'Cron slots fired by this deployment.', registers: [this.registry] });
  readonly cronLag = new Histogram({
    name: 'runhook_cron_firing_lag_seconds',
    help: 'Delay between a cron slot and its firing.',
    buckets: LAG_SECONDS,
    registers: [this.registry],
  });
  readonly cronMissed = new Counter({
    name: 'runhook_cron_missed_slots_total',
    help: 'Cron slots not fired because they were older than the catch-up window (downtime).',
    registers: [this.registry],
  });
  readonly cronDuplicates = new Counter({
    name: 'runhook_cron_duplicate_firings_total',
    help: 'Firings this process attempted that another scheduler had already claimed (the unique slot key refused them).',
    registers: [this.registry],
  });

  constructor() {
    // process_*, nodejs_* (event-loop lag and its percentiles, heap, GC, handles), sampled by prom-client itself.
    collectDefaultMetrics({ register: this.registry });
  }

  runEnded(status: RunEndStatus, startedAtMs: number | null, endedAtMs: number): void {
    this.runsEnded.inc({ status });
    if (startedAtMs !== null) this.runDuration.observe({ status }, Math.max(0, endedAtMs - startedAtMs) / 1000);
  }

  deliveryAttempted(outcome: DeliveryOutcome, durationMs: number | null): void {
    this.deliveryAttempts.inc({ outcome });
    // A refusal by policy opens no connection: it has no latency to report.
    if (durationMs !== null) this.attemptDuration.observe(durationMs / 1000);
  }

  cronFired(lagMs: number): void {
    this.cronFirings.inc();
    this.cronLag.observe(lagMs / 1000);
  }

  /** Reports a PostgreSQL pool's connections at every scrape (only processes on PostgreSQL call it). */
  observePool(pool: PoolUse): void {
    new Gauge({
      name: 'runhook_db_pool_connections',
      help: 'PostgreSQL pool connections of this process, by state (in_use = total - idle).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
      },
    });
    new Gauge({
      name: 'runhook_db_pool_waiting_requests',
      help: 'Queries of this process waiting for a free PostgreSQL pool connection.',
      registers: [this.registry],
      collect() {
        this.set(pool.waitingCount);
      },
    });
  }

  /** Registers a source of other processes' metrics, merged into this process's scrape. */
  addRemoteSource(source: RemoteMetricsSource): void {
    this.remoteSources.push(source);
  }

  /** True when other processes' metrics are merged into this one's scrape (an api process with forked workers). */
  get speaksForOthers(): boolean {
    return this.remoteSources.length > 0;
  }

  /** This process's metrics, as sent to the process that serves `/metrics`. */
  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON();
  }

  /** This process's snapshot and those of the registered sources (a source that fails adds nothing). */
  async snapshots(): Promise<MetricsSnapshot[]> {
    const remote = await Promise.all(this.remoteSources.map((source) => source().catch(() => [])));
    return [await this.snapshot(), ...remote.flat()];
  }
}
