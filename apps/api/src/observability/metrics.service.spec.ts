import { SystemClock } from '../common/clock';
import { sqliteStore, type StoreFixture } from '../persistence/testing/store-fixture';
import { MetricsService } from './metrics.service';
import { RunhookMetrics } from './runhook-metrics';
import { SqliteMetricsRepository } from './sqlite-metrics.repository';

function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsService', () => {
  let store: StoreFixture;

  beforeEach(async () => {
    store = await sqliteStore();
  });

  afterEach(async () => {
    await store.close();
  });

  it('renders this process alone, with the queue gauges read from the database', async () => {
    const own = new RunhookMetrics();
    own.runsCreated.inc(2);
    own.runEnded('success', 1_000, 3_500);
    const text = await new MetricsService(own, new SqliteMetricsRepository(store.sqlite as never), new SystemClock()).scrape();

    expect(valueOf(text, 'runhook_runs_created_total')).toBe(2);
    expect(valueOf(text, 'runhook_runs_ended_total{status="success"}')).toBe(1);
    expect(valueOf(text, 'runhook_run_duration_seconds_sum{status="success"}')).toBe(2.5);
    expect(valueOf(text, 'runhook_runs_pending')).toBe(0);
    expect(valueOf(text, 'runhook_webhook_deliveries_due')).toBe(0);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('sums the worker processes its sources answer for, and leaves out a source that fails', async () => {
    const own = new RunhookMetrics();
    const worker = new RunhookMetrics();
    own.runsCreated.inc(2);
    worker.runsStarted.inc(3);
    worker.runEnded('error', 0, 250);
    own.runEnded('error', 0, 750);
    own.deliveryAttempted('succeeded', 20);
    worker.deliveryAttempted('succeeded', 30);
    own.addRemoteSource(async () => [await worker.snapshot()]);
    own.addRemoteSource(() => Promise.reject(new Error('worker gone')));
    const text = await new MetricsService(own, new SqliteMetricsRepository(store.sqlite as never), new SystemClock()).scrape();

    expect(valueOf(text, 'runhook_runs_created_total')).toBe(2);
    expect(valueOf(text, 'runhook_runs_started_total')).toBe(3);
    expect(valueOf(text, 'runhook_runs_ended_total{status="error"}')).toBe(2);
    expect(valueOf(text, 'runhook_run_duration_seconds_sum{status="error"}')).toBe(1);
    expect(valueOf(text, 'runhook_webhook_deliveries_total{outcome="succeeded"}')).toBe(2);
    expect(valueOf(text, 'runhook_webhook_attempt_duration_seconds_bucket{le="0.05"}')).toBe(2);
    // The queue gauges come once from the database, not once per process.
    expect(text.split('\n').filter((line) => line.startsWith('runhook_runs_pending ')).length).toBe(1);
  });

  it('reports a PostgreSQL pool by state at each scrape, from the pool itself', async () => {
    const own = new RunhookMetrics();
    const pool = { totalCount: 5, idleCount: 2, waitingCount: 1 };
    own.observePool(pool);
    const service = new MetricsService(own, new SqliteMetricsRepository(store.sqlite as never), new SystemClock());
    const text = await service.scrape();
    expect(valueOf(text, 'runhook_db_pool_connections{state="total"}')).toBe(5);
    expect(valueOf(text, 'runhook_db_pool_connections{state="idle"}')).toBe(2);
    expect(valueOf(text, 'runhook_db_pool_connections{state="in_use"}')).toBe(3);
    expect(valueOf(text, 'runhook_db_pool_waiting_requests')).toBe(1);
    pool.idleCount = 5;
    pool.waitingCount = 0;
    const later = await service.scrape();
    expect(valueOf(later, 'runhook_db_pool_connections{state="in_use"}')).toBe(0);
    expect(valueOf(later, 'runhook_db_pool_waiting_requests')).toBe(0);
  });
});
