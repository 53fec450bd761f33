import { Inject, Injectable } from '@nestjs/common';
import { prepared } from '../persistence/prepared';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import { MetricsRepository, type QueueFigures } from './metrics.repository';

@Injectable()
export class SqliteMetricsRepository extends MetricsRepository {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {
    super();
  }

  async queueFigures(nowMs: number): Promise<QueueFigures> {
    // runs.created_at is the ISO time a run becomes due; runs_queue (status, created_at) answers both from the index.
    const runs = prepared(
      this.db,
      `SELECT (SELECT COUNT(*) FROM runs WHERE status = 'pending') AS pending,
              (SELECT MIN(created_at) FROM runs WHERE status = 'pending' AND created_at <= ?) AS oldest`,
    ).get(new Date(nowMs).toISOString()) as { pending: number; oldest: string | null };
    const deliveries = prepared(
      this.db,
      "SELECT COUNT(*) AS due, MIN(next_attempt_at) AS oldest FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?",
    ).get(nowMs) as { due: number; oldest: number | null };
    return {
      pendingRuns: runs.pending,
      oldestDueRunAtMs: runs.oldest === null ? null : Date.parse(runs.oldest),
      dueDeliveries: deliveries.due,
      oldestDueDeliveryAtMs: deliveries.oldest,
    };
  }
}
