import { Inject, Injectable } from '@nestjs/common';
import type { Thread } from '@runhook/contracts';
import { jsonContains, parseJson } from '../common/json';
import { immediateTransaction, prepared } from '../persistence/prepared';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import { ThreadFilter, type ThreadHead, ThreadPage, ThreadStateUpdate, ThreadsRepository } from './threads.repository';

export interface ThreadRow {
  thread_id: string;
  created_at: string;
  updated_at: string;
  state_updated_at: string;
  metadata: string;
  status: string;
  config: string;
  state_values: string | null;
  interrupts: string;
  error: string | null;
}

export function toThread(row: ThreadRow): Thread {
  const thread: Thread = {
    thread_id: row.thread_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    state_updated_at: row.state_updated_at,
    metadata: parseJson(row.metadata, {}),
    status: row.status as Thread['status'],
    config: parseJson(row.config, {}),
    values: parseJson(row.state_values, null),
    interrupts: parseJson(row.interrupts, {}),
  };
  if (row.error !== null) thread.error = parseJson(row.error, null);
  return thread;
}

const SORTABLE = new Set(['thread_id', 'status', 'created_at', 'updated_at', 'state_updated_at']);

@Injectable()
export class SqliteThreadsRepository extends ThreadsRepository {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {
    super();
  }

  async insert(thread: Thread): Promise<Thread | null> {
    const result = prepared(
      this.db,
      `INSERT OR IGNORE INTO threads (thread_id, created_at, updated_at, state_updated_at, metadata, status, config, state_values, interrupts, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    ).run(
      thread.thread_id,
      thread.created_at,
      thread.updated_at,
      thread.state_updated_at,
      JSON.stringify(thread.metadata),
      thread.status,
      JSON.stringify(thread.config),
      thread.values === null ? null : JSON.stringify(thread.values),
      JSON.stringify(thread.interrupts),
    );
    return result.changes > 0 ? thread : null;
  }

  async get(threadId: string): Promise<Thread | null> {
    const row = prepared(this.db, 'SELECT * FROM threads WHERE thread_id = ?').get(threadId) as ThreadRow | undefined;
    return row ? toThread(row) : null;
  }

  async getHead(threadId: string): Promise<ThreadHead | null> {
    const row = prepared(this.db, 'SELECT thread_id, status, metadata, config FROM threads WHERE thread_id = ?').get(threadId) as
      | Pick<ThreadRow, 'thread_id' | 'status' | 'metadata' | 'config'>
      | undefined;
    if (!row) return null;
    return { thread_id: row.thread_id, status: row.status as Thread['status'], metadata: parseJson(row.metadata, {}), config: parseJson(row.config, {}) };
  }

  async patchMetadata(threadId: string, metadata: Record<string, unknown>, now: string): Promise<Thread | null> {
    return immediateTransaction(this.db, () => {
      const row = prepared(this.db, 'SELECT * FROM threads WHERE thread_id = ?').get(threadId) as ThreadRow | undefined;
      if (!row) return null;
      const merged = { ...parseJson<Record<string, unknown>>(row.metadata, {}), ...metadata };
      prepared(this.db, 'UPDATE threads SET metadata = ?, updated_at = ? WHERE thread_id = ?').run(JSON.stringify(merged), now, threadId);
      return toThread({ ...row, metadata: JSON.stringify(merged), updated_at: now });
    });
  }

  async delete(threadId: string, options: { keepRuns?: boolean } = {}): Promise<boolean> {
    return immediateTransaction(this.db, () => {
      if (!options.keepRuns) {
        prepared(this.db, 'DELETE FROM run_events WHERE run_id IN (SELECT run_id FROM runs WHERE thread_id = ?)').run(threadId);
        prepared(this.db, 'DELETE FROM runs WHERE thread_id = ?').run(threadId);
      }
      return prepared(this.db, 'DELETE FROM threads WHERE thread_id = ?').run(threadId).changes > 0;
    });
  }

  async search(
    filter: ThreadFilter,
    page: { limit: number; offset: number; sortBy: string; sortOrder: 'asc' | 'desc' },
  ): Promise<ThreadPage> {
    const sortBy = SORTABLE.has(page.sortBy) ? page.sortBy : 'created_at';
    const order = page.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const { where, params, needsJsonFilter } = this.whereClause(filter);
    if (!needsJsonFilter) {
      const total = (prepared(this.db, `SELECT COUNT(*) AS n FROM threads ${where}`).get(...params) as { n: number }).n;
      const rows = prepared(this.db, `SELECT * FROM threads ${where} ORDER BY ${sortBy} ${order}, thread_id ${order} LIMIT ? OFFSET ?`).all(
        ...params,
        page.limit,
        page.offset,
      ) as ThreadRow[];
      return { items: rows.map(toThread), total };
    }
    // Containment filters run in code: SQLite has no jsonb `@>`.
    const rows = prepared(this.db, `SELECT * FROM threads ${where} ORDER BY ${sortBy} ${order}, thread_id ${order}`).all(...params) as ThreadRow[];
    const matching = rows.map(toThread).filter((thread) => this.matchesJson(thread, filter));
    return { items: matching.slice(page.offset, page.offset + page.limit), total: matching.length };
  }

  async count(filter: ThreadFilter): Promise<number> {
    const { where, params, needsJsonFilter } = this.whereClause(filter);
    if (!needsJsonFilter) return (prepared(this.db, `SELECT COUNT(*) AS n FROM threads ${where}`).get(...params) as { n: number }).n;
    const rows = prepared(this.db, `SELECT * FROM threads ${where}`).all(...params) as ThreadRow[];
    return rows.map(toThread).filter((thread) => this.matchesJson(thread, filter)).length;
  }

  async saveState(threadId: string, update: ThreadStateUpdate): Promise<void> {
    prepared(
      this.db,
      `UPDATE threads SET state_values = ?, interrupts = ?, status = COALESCE(?, status), updated_at = ?, state_updated_at = ?
       WHERE thread_id = ?`,
    ).run(
      update.values === null ? null : JSON.stringify(update.values),
      JSON.stringify(update.interrupts),
      update.status ?? null,
      update.now,
      update.now,
      threadId,
    );
  }

  async hasActiveRun(threadId: string): Promise<boolean> {
    return (
      prepared(this.db, "SELECT 1 FROM runs WHERE thread_id = ? AND status IN ('pending', 'running') LIMIT 1").get(threadId) !== undefined
    );
  }

  private whereClause(filter: ThreadFilter): { where: string; params: unknown[]; needsJsonFilter: boolean } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      clauses.push('status = ?');
      params.push(filter.status);
    }
    if (filter.ids && filter.ids.length > 0) {
      // One JSON parameter, not one per id: a long list stays under SQLite's bound-variable limit.
      clauses.push('thread_id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.ids));
    }
    const needsJsonFilter = Boolean(
      (filter.metadata && Object.keys(filter.metadata).length) || (filter.values && Object.keys(filter.values).length),
    );
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params, needsJsonFilter };
  }

  private matchesJson(thread: Thread, filter: ThreadFilter): boolean {
    if (filter.metadata && !jsonContains(thread.metadata, filter.metadata)) return false;
    if (filter.values && !jsonContains(thread.values ?? {}, filter.values)) return false;
    return true;
  }
}
