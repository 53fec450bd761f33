import { Inject, Injectable } from '@nestjs/common';
import type { OnRunCompleted } from '@runhook/contracts';
import { jsonContains, parseJson } from '../common/json';
import { prepared } from '../persistence/prepared';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import type { CreateRunResult } from '../runs/run-record';
import { RunsRepository } from '../runs/runs.repository';
import { SqliteRunsRepository } from '../runs/sqlite-runs.repository';
import type { AdvanceCommand, CronFilter, CronFiring, CronPageRequest, CronRecord, FireCommand, FireResult } from './cron-record';
import { CronsRepository } from './crons.repository';

interface CronRow {
  cron_id: string;
  assistant_id: string;
  thread_id: string | null;
  schedule: string;
  timezone: string | null;
  end_time: string | null;
  enabled: number;
  on_run_completed: string | null;
  payload: string;
  metadata: string;
  user_id: string | null;
  next_run_date: string | null;
  last_fired_at: string | null;
  last_firing_lag_ms: number | null;
  created_at: string;
  updated_at: string;
  auth_user: string | null;
}

interface FiringRow extends Omit<CronFiring, 'catch_up'> {
  catch_up: number;
}

const SORTABLE = new Set(['cron_id', 'assistant_id', 'thread_id', 'next_run_date', 'end_time', 'created_at', 'updated_at']);

function hasMetadata(filter: CronFilter): boolean {
  return filter.metadata !== undefined && Object.keys(filter.metadata).length > 0;
}

function toCron(row: CronRow): CronRecord {
  return {
    ...row,
    enabled: row.enabled === 1,
    on_run_completed: row.on_run_completed as OnRunCompleted | null,
    payload: parseJson(row.payload, {}),
    metadata: parseJson(row.metadata, {}),
    auth_user: row.auth_user === null ? null : parseJson(row.auth_user, null),
  };
}

/** The user-editable columns, in table order: schedule … metadata. */
function editable(cron: CronRecord): unknown[] {
  return [cron.schedule, cron.timezone, cron.end_time, cron.enabled ? 1 : 0, cron.on_run_completed, JSON.stringify(cron.payload), JSON.stringify(cron.metadata)];
}

/** Thrown inside a firing transaction to roll back the firing row when the cron moved meanwhile. */
class StaleCron extends Error {}

@Injectable()
export class SqliteCronsRepository extends CronsRepository {
  private readonly runs: SqliteRunsRepository;

  constructor(@Inject(SQLITE) private readonly db: SqliteConnection, runs: RunsRepository) {
    super();
    // A firing writes its run in the firing's own transaction: that takes the runs adapter of the same connection.
    if (!(runs instanceof SqliteRunsRepository)) throw new Error('SqliteCronsRepository needs the SQLite runs adapter');
    this.runs = runs;
  }

  async insert(cron: CronRecord): Promise<void> {
    prepared(
      this.db,
      `INSERT INTO crons (cron_id, assistant_id, thread_id, schedule, timezone, end_time, enabled, on_run_completed, payload, metadata,
         user_id, next_run_date, last_fired_at, last_firing_lag_ms, created_at, updated_at, auth_user)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      cron.cron_id,
      cron.assistant_id,
      cron.thread_id,
      ...editable(cron),
      cron.user_id,
      cron.next_run_date,
      cron.last_fired_at,
      cron.last_firing_lag_ms,
      cron.created_at,
      cron.updated_at,
      cron.auth_user === null ? null : JSON.stringify(cron.auth_user),
    );
  }

  async get(cronId: string): Promise<CronRecord | null> {
    const row = prepared(this.db, 'SELECT * FROM crons WHERE cron_id = ?').get(cronId) as CronRow | undefined;
    return row ? toCron(row) : null;
  }

  async update(cron: CronRecord): Promise<CronRecord | null> {
    const changed = prepared(
      this.db,
      `UPDATE crons SET schedule = ?, timezone = ?, end_time = ?, enabled = ?, on_run_completed = ?, payload = ?, metadata = ?,
         next_run_date = ?, updated_at = ?
       WHERE cron_id = ?`,
    ).run(...editable(cron), cron.next_run_date, cron.updated_at, cron.cron_id).changes;
    return changed > 0 ? this.get(cron.cron_id) : null;
  }

  async delete(cronId: string): Promise<boolean> {
    const apply = this.db.transaction(() => {
      prepared(this.db, 'DELETE FROM cron_firings WHERE cron_id = ?').run(cronId);
      return prepared(this.db, 'DELETE FROM crons WHERE cron_id = ?').run(cronId).changes > 0;
    });
    return apply.immediate();
  }

  async search(filter: CronFilter, page: CronPageRequest): Promise<{ items: CronRecord[]; total: number }> {
    const { where, params } = this.where(filter);
    const sortBy = SORTABLE.has(page.sortBy) ? page.sortBy : 'created_at';
    const order = page.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM crons ${where} ORDER BY ${sortBy} ${order}, cron_id ${order}`;
    if (!hasMetadata(filter)) {
      const rows = prepared(this.db, `${sql} LIMIT ? OFFSET ?`).all(...params, page.limit, page.offset) as CronRow[];
      return { items: rows.map(toCron), total: await this.count(filter) };
    }
    // Metadata containment is checked on the decoded rows, as for threads.
    const matching = (prepared(this.db, sql).all(...params) as CronRow[]).map(toCron).filter((cron) => jsonContains(cron.metadata, filter.metadata));
    return { items: matching.slice(page.offset, page.offset + page.limit), total: matching.length };
  }

  async count(filter: CronFilter): Promise<number> {
    const { where, params } = this.where(filter);
    if (hasMetadata(filter)) {
      const rows = prepared(this.db, `SELECT metadata FROM crons ${where}`).all(...params) as { metadata: string }[];
      return rows.filter((row) => jsonContains(parseJson(row.metadata, {}), filter.metadata)).length;
    }
    return (prepared(this.db, `SELECT COUNT(*) AS total FROM crons ${where}`).get(...params) as { total: number }).total;
  }

  async listDue(now: string, limit: number): Promise<CronRecord[]> {
    const rows = prepared(
      this.db,
      'SELECT * FROM crons WHERE enabled = 1 AND next_run_date <= ? ORDER BY next_run_date, cron_id LIMIT ?',
    ).all(now, limit) as CronRow[];
    // A row that cannot be decoded is left out: one bad row must never stop the scheduler.
    return rows.flatMap((row) => {
      try {
        return [toCron(row)];
      } catch {
        return [];
      }
    });
  }

  async nextDueAt(): Promise<string | null> {
    const row = prepared(this.db, 'SELECT MIN(next_run_date) AS due FROM crons WHERE enabled = 1').get() as { due: string | null };
    return row.due;
  }

  async fire(command: FireCommand): Promise<FireResult> {
    const apply = this.db.transaction((): FireResult => {
      const inserted = prepared(
        this.db,
        `INSERT OR IGNORE INTO cron_firings (cron_id, scheduled_at, fired_at, run_id, thread_id, lag_ms, status, catch_up, error)
         VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?)`,
      ).run(
        command.expected.cronId,
        command.scheduledAt,
        command.firedAt,
        command.run?.run.run_id ?? null,
        command.run?.run.thread_id ?? null,
        command.lagMs,
        command.catchUp ? 1 : 0,
        command.error,
      );
      // Moved past the slot when the cron still points at it: a next_run_date computed on a replica whose clock is
      // behind can point back at fired slots, and the cron must not stop on the first one.
      if (inserted.changes === 0) return { kind: 'duplicate', advanced: this.advanceRow(command, null, null) };
      if (!this.advanceRow(command, command.firedAt, command.lagMs)) throw new StaleCron();
      const run = command.run ? this.runs.createRunInTransaction(command.run) : null;
      const status = this.firingStatus(run);
      if (status !== 'created') {
        prepared(this.db, 'UPDATE cron_firings SET status = ?, run_id = NULL WHERE cron_id = ? AND scheduled_at = ?').run(
          status,
          command.expected.cronId,
          command.scheduledAt,
        );
      }
      // The thread of a thread cron is gone: the cron can never fire again.
      if (run?.kind === 'thread-not-found') {
        prepared(this.db, 'UPDATE crons SET enabled = 0, next_run_date = NULL WHERE cron_id = ?').run(command.expected.cronId);
      }
      return { kind: 'fired', run };
    });
    try {
      return apply.immediate();
    } catch (error) {
      if (error instanceof StaleCron) return { kind: 'stale' };
      throw error;
    }
  }

  async advance(command: AdvanceCommand): Promise<boolean> {
    return this.db.transaction(() => this.advanceRow(command, null, null)).immediate();
  }

  async listFirings(cronId: string, page: { limit: number; offset: number }): Promise<CronFiring[]> {
    const rows = prepared(this.db, 'SELECT * FROM cron_firings WHERE cron_id = ? ORDER BY scheduled_at DESC LIMIT ? OFFSET ?').all(
      cronId,
      page.limit,
      page.offset,
    ) as FiringRow[];
    return rows.map((row) => ({ ...row, catch_up: row.catch_up === 1 }));
  }

  async purge(endedBefore: string, firedBefore: string): Promise<{ crons: number; firings: number }> {
    const apply = this.db.transaction(() => {
      const ended = prepared(this.db, 'SELECT cron_id FROM crons WHERE end_time IS NOT NULL AND end_time < ?').all(endedBefore) as {
        cron_id: string;
      }[];
      let firings = 0;
      for (const { cron_id } of ended) {
        firings += prepared(this.db, 'DELETE FROM cron_firings WHERE cron_id = ?').run(cron_id).changes;
        prepared(this.db, 'DELETE FROM crons WHERE cron_id = ?').run(cron_id);
      }
      firings += prepared(this.db, 'DELETE FROM cron_firings WHERE fired_at < ?').run(firedBefore).changes;
      return { crons: ended.length, firings };
    });
    return apply.immediate();
  }

  /** Compare-and-set on the version the scheduler read: a patch, a delete or another scheduler wins. */
  private advanceRow(command: AdvanceCommand, firedAt: string | null, lagMs: number | null): boolean {
    const { expected } = command;
    return (
      prepared(
        this.db,
        `UPDATE crons SET next_run_date = ?, enabled = CASE WHEN ? THEN 0 ELSE enabled END,
           last_fired_at = COALESCE(?, last_fired_at), last_firing_lag_ms = COALESCE(?, last_firing_lag_ms)
         WHERE cron_id = ? AND enabled = 1 AND next_run_date = ? AND updated_at = ?`,
      ).run(command.nextRunDate, command.expire ? 1 : 0, firedAt, lagMs, expected.cronId, expected.nextRunDate, expected.updatedAt).changes > 0
    );
  }

  private firingStatus(run: CreateRunResult | null): CronFiring['status'] {
    if (!run || run.kind === 'thread-not-found') return 'error';
    return run.kind === 'conflict' ? 'busy' : 'created';
  }

  private where(filter: CronFilter): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.assistantId !== undefined) {
      clauses.push('assistant_id = ?');
      params.push(filter.assistantId);
    }
    if (filter.threadId !== undefined) {
      clauses.push('thread_id = ?');
      params.push(filter.threadId);
    }
    if (filter.enabled !== undefined) {
      clauses.push('enabled = ?');
      params.push(filter.enabled ? 1 : 0);
    }
    return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }
}
