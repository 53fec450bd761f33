import { Global, Inject, Module, Optional } from '@nestjs/common';
import { adapterFor } from '../persistence/database';
import { PG_POOL, type PgPool } from '../persistence/postgres/pg-pool';
import { MetricsController } from './metrics.controller';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';
import { PostgresMetricsRepository } from './postgres-metrics.repository';
import { RunhookMetrics } from './runhook-metrics';
import { SqliteMetricsRepository } from './sqlite-metrics.repository';

/**
 * Metrics for every role: the instruments (global, so runs, webhooks and crons count into them), `/metrics`, and
 * the scrape-time queue queries over the MetricsRepository port bound here.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [RunhookMetrics, MetricsService, adapterFor(MetricsRepository, SqliteMetricsRepository, PostgresMetricsRepository)],
  exports: [RunhookMetrics],
})
export class ObservabilityModule {
  constructor(metrics: RunhookMetrics, @Optional() @Inject(PG_POOL) pool: PgPool | null) {
    if (pool) metrics.observePool(pool);
  }
}
