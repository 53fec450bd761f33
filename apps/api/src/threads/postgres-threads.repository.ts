import { Inject, Injectable } from '@nestjs/common';
import type { Thread } from '@runhook/contracts';
import { jsonParam, PG_POOL, type PgPool, toIso, withTransaction } from '../persistence/postgres/pg-pool';
import { countRows, type PgPage, searchPage } from '../persistence/postgres/pg-search';
import { ThreadFilter, type ThreadHead, ThreadPage, ThreadStateUpdate, ThreadsRepository } from './threads.repository';

export interface PgThreadRow {
  thread_id: string;
  created_at: Date;
  updated_at: Date;
  state_updated_at: Date;
  metadata: Record<string, unknown>;
  status: string;
  config: Thread['config'];
  state_values: Record<string, unknown> | null;
  interrupts: Thread['interrupts'];
  error: unknown;
}

export function pgRowToThread(row: PgThreadRow): Thread {
  const thread: Thread = {
    thread_id: row.thread_id,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
    state_updated_at: toIso(row.state_updated_at),
    metadata: row.metadata ?? {},
    status: row.status as Thread['status'],
    config: row.config ?? {},
    values: row.state_values ?? null,
    interrupts: row.interrupts ?? {},
  };
  if (row.error !== null) thread.error = row.error as Thread['error'];
  return thread;
}

const SORTABLE = new Set(['thread_id', 'status', 'created_at', 'updated_at', 'state_updated_at']);

function whereClause(filter: ThreadFilter): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.status) {
    params.push(filter.status);
    clauses.push(`status = $${params.length}`);
  }
  if (filter.ids && filter.ids.length > 0) {
    params.push(filter.ids);
    clauses.push(`thread_id = ANY($${params.length}::text[])`);
  }
  if (filter.metadata && Object.keys(filter.metadata).length > 0) {
    params.push(JSON.stringify(filter.metadata));
    clauses.push(`metadata @> $${params.length}::jsonb`);
  }
  if (filter.values && Object.keys(filter.values).length > 0) {
    params.push(JSON.stringify(filter.values));
    // A thread without values matches as `{}` would, as in the SQLite adapter.
    clauses.push(`COALESCE(state_values, '{}'::jsonb) @> $${params.length}::jsonb`);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

@Injectable()
export class PostgresThreadsRepository extends ThreadsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {
    super();
  }

  async insert(thread: Thread): Promise<Thread | null> {
    const result = await this.pool.query(
      `INSERT INTO threads (thread_id, created_at, updated_at, state_updated_at, metadata, status, config, state_values, interrupts, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL) ON CONFLICT (thread_id) DO NOTHING`,
      [
        thread.thread_id,
        thread.created_at,
        thread.updated_at,
        thread.state_updated_at,
        jsonParam(thread.metadata ?? {}),
        thread.status,
        jsonParam(thread.config ?? {}),
        jsonParam(thread.values),
        jsonParam(thread.interrupts ?? {}),
      ],
    );
    return (result.rowCount ?? 0) > 0 ? thread : null;
  }

  async get(threadId: string): Promise<Thread | null> {
    const { rows } = await this.pool.query<PgThreadRow>('SELECT * FROM threads WHERE thread_id = $1', [threadId]);
    return rows[0] ? pgRowToThread(rows[0]) : null;
  }

  async getHead(threadId: string): Promise<ThreadHead | null> {
    const { rows } = await this.pool.query<Pick<PgThreadRow, 'thread_id' | 'status' | 'metadata' | 'config'>>(
      'SELECT thread_id, status, metadata, config FROM threads WHERE thread_id = $1',
      [threadId],
    );
    const row = rows[0];
    if (!row) return null;
    return { thread_id: row.thread_id, status: row.status as Thread['status'], metadata: row.metadata ?? {}, config: row.config ?? {} };
  }

  async patchMetadata(threadId: string, metadata: Record<string, unknown>, now: string): Promise<Thread | null> {
    // `||` on jsonb objects is the same shallow merge as `{...current, ...patch}`.
    const { rows } = await this.pool.query<PgThreadRow>(
      'UPDATE threads SET metadata = metadata || $2::jsonb, updated_at = $3 WHERE thread_id = $1 RETURNING *',
      [threadId, JSON.stringify(metadata), now],
    );
    return rows[0] ? pgRowToThread(rows[0]) : null;
  }

  async delete(threadId: string, options: { keepRuns?: boolean } = {}): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      if (!options.keepRuns) {
        await client.query('DELETE FROM run_events WHERE run_id IN (SELECT run_id FROM runs WHERE thread_id = $1)', [threadId]);
        await client.query('DELETE FROM runs WHERE thread_id = $1', [threadId]);
      }
      const result = await client.query('DELETE FROM threads WHERE thread_id = $1', [threadId]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  async search(filter: ThreadFilter, page: PgPage): Promise<ThreadPage> {
    const sortBy = SORTABLE.has(page.sortBy) ? page.sortBy : 'created_at';
    const { rows, total } = await searchPage<PgThreadRow>(this.pool, 'threads', 'thread_id', whereClause(filter), { ...page, sortBy });
    return { items: rows.map(pgRowToThread), total };
  }

  async count(filter: ThreadFilter): Promise<number> {
    return countRows(this.pool, 'threads', whereClause(filter));
  }

  async saveState(threadId: string, update: ThreadStateUpdate): Promise<void> {
    await this.pool.query(
      `UPDATE threads SET state_values = $1, interrupts = $2, status = COALESCE($3, status), updated_at = $4, state_updated_at = $4
       WHERE thread_id = $5`,
      [jsonParam(update.values), jsonParam(update.interrupts ?? {}), update.status ?? null, update.now, threadId],
    );
  }

  async hasActiveRun(threadId: string): Promise<boolean> {
    const { rows } = await this.pool.query("SELECT 1 FROM runs WHERE thread_id = $1 AND status IN ('pending', 'running') LIMIT 1", [threadId]);
    return rows.length > 0;
  }
}
