import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type PgPool } from '../persistence/postgres/pg-pool';
import { MetricsRepository, type QueueFigures } from './metrics.repository';

@Injectable()
export class PostgresMetricsRepository extends MetricsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {
    super();
  }

  async queueFigures(nowMs: number): Promise<QueueFigures> {
    // One round trip; both tables have partial indexes on their pending rows (runs_queue, webhook_deliveries_due).
    const { rows } = await this.pool.query<{ pending: string; oldest_run: Date | null; due: string; oldest_delivery: string | null }>(
      `SELECT (SELECT COUNT(*) FROM runs WHERE status = 'pending') AS pending,
              (SELECT MIN(created_at) FROM runs WHERE status = 'pending' AND created_at <= $2) AS oldest_run,
              (SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1) AS due,
              (SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1) AS oldest_delivery`,
      [nowMs, new Date(nowMs).toISOString()],
    );
    const row = rows[0] as (typeof rows)[number];
    return {
      pendingRuns: Number(row.pending),
      oldestDueRunAtMs: row.oldest_run === null ? null : row.oldest_run.getTime(),
      dueDeliveries: Number(row.due),
      oldestDueDeliveryAtMs: row.oldest_delivery === null ? null : Number(row.oldest_delivery),
    };
  }
}
