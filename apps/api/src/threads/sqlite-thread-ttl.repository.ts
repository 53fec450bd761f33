import { Inject, Injectable } from '@nestjs/common';
import type { ThreadTtl, ThreadTtlStrategy } from '@runhook/contracts';
import { prepared } from '../persistence/prepared';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import { type DueThread, ThreadTtlRepository } from './thread-ttl.repository';

interface TtlRow {
  thread_id: string;
  ttl_strategy: ThreadTtlStrategy;
  ttl_minutes: number;
  ttl_expires_at: string;
}

@Injectable()
export class SqliteThreadTtlRepository extends ThreadTtlRepository {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {
    super();
  }

  async set(threadId: string, ttl: ThreadTtl | null): Promise<boolean> {
    const result = prepared(this.db, 'UPDATE threads SET ttl_strategy = ?, ttl_minutes = ?, ttl_expires_at = ? WHERE thread_id = ?').run(
      ttl?.strategy ?? null,
      ttl?.ttl ?? null,
      ttl?.expires_at ?? null,
      threadId,
    );
    return result.changes > 0;
  }

  async getMany(threadIds: string[]): Promise<Map<string, ThreadTtl>> {
    const ttls = new Map<string, ThreadTtl>();
    if (threadIds.length === 0) return ttls;
    // One statement per distinct list length; the caller's lists are a search page at most.
    const rows = this.db
      .prepare(
        `SELECT thread_id, ttl_strategy, ttl_minutes, ttl_expires_at FROM threads
         WHERE ttl_expires_at IS NOT NULL AND thread_id IN (${threadIds.map(() => '?').join(', ')})`,
      )
      .all(...threadIds) as TtlRow[];
    for (const row of rows) ttls.set(row.thread_id, { strategy: row.ttl_strategy, ttl: row.ttl_minutes, expires_at: row.ttl_expires_at });
    return ttls;
  }

  async listDue(now: string, limit: number): Promise<DueThread[]> {
    const rows = prepared(
      this.db,
      `SELECT thread_id, ttl_strategy, ttl_minutes, ttl_expires_at FROM threads
       WHERE ttl_expires_at IS NOT NULL AND ttl_expires_at <= ? ORDER BY ttl_expires_at LIMIT ?`,
    ).all(now, limit) as TtlRow[];
    return rows.map((row) => ({ thread_id: row.thread_id, strategy: row.ttl_strategy, ttl: row.ttl_minutes }));
  }
}
