import { Inject, Injectable } from '@nestjs/common';
import type { ThreadTtl, ThreadTtlStrategy } from '@runhook/contracts';
import { PG_POOL, type PgPool, toIso } from '../persistence/postgres/pg-pool';
import { type DueThread, ThreadTtlRepository } from './thread-ttl.repository';

interface PgTtlRow {
  thread_id: string;
  ttl_strategy: ThreadTtlStrategy;
  ttl_minutes: number;
  ttl_expires_at: Date;
}

@Injectable()
export class PostgresThreadTtlRepository extends ThreadTtlRepository {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {
    super();
  }

  async set(threadId: string, ttl: ThreadTtl | null): Promise<boolean> {
    const result = await this.pool.query('UPDATE threads SET ttl_strategy = $1, ttl_minutes = $2, ttl_expires_at = $3 WHERE thread_id = $4', [
      ttl?.strategy ?? null,
      ttl?.ttl ?? null,
      ttl?.expires_at ?? null,
      threadId,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async getMany(threadIds: string[]): Promise<Map<string, ThreadTtl>> {
    const ttls = new Map<string, ThreadTtl>();
    if (threadIds.length === 0) return ttls;
    const result = await this.pool.query<PgTtlRow>(
      `SELECT thread_id, ttl_strategy, ttl_minutes, ttl_expires_at FROM threads
       WHERE ttl_expires_at IS NOT NULL AND thread_id = ANY($1::text[])`,
      [threadIds],
    );
    for (const row of result.rows) {
      ttls.set(row.thread_id, { strategy: row.ttl_strategy, ttl: row.ttl_minutes, expires_at: toIso(row.ttl_expires_at) });
    }
    return ttls;
  }

  async listDue(now: string, limit: number): Promise<DueThread[]> {
    const result = await this.pool.query<PgTtlRow>(
      `SELECT thread_id, ttl_strategy, ttl_minutes, ttl_expires_at FROM threads
       WHERE ttl_expires_at IS NOT NULL AND ttl_expires_at <= $1 ORDER BY ttl_expires_at LIMIT $2`,
      [now, limit],
    );
    return result.rows.map((row) => ({ thread_id: row.thread_id, strategy: row.ttl_strategy, ttl: row.ttl_minutes }));
  }
}
