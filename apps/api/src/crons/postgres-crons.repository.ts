import { Inject, Injectable } from '@nestjs/common';
import type { OnRunCompleted } from '@runhook/contracts';
import { jsonParam, PG_POOL, type PgClient, type PgPool, toIso, withTransaction } from '../persistence/postgres/pg-pool';
import { countRows, type PgWhere, searchPage } from '../persistence/postgres/pg-search';
import { PostgresRunsRepository } from '../runs/postgres-runs.repository';
import type { CreateRunResult } from '../runs/run-record';
import { RunsRepository } from '../runs/runs.repository';
import type { AdvanceCommand, CronFilter, CronFiring, CronPageRequest, CronRecord, FireCommand, FireResult } from './cron-record';
import { CronsRepository } from './crons.repository';

interface PgCronRow {
  cron_id: string;
  assistant_id: string;
  thread_id: string | null;
  schedule: string;
  timezone: string | null;
  end_time: Date | null;
  enabled: boolean;
  on_run_completed: string | null;
  payload: Record<string, unknown>;
  metadata: Record<string, unknown>;
  user_id: string | null;
  next_run_date: Date | null;
  last_fired_at: Date | null;
  last_firing_lag_ms: string | null;
  created_at: Date;
  updated_at: Date;
  auth_user: CronRecord['auth_user'];
}

interface PgFiringRow {
  cron_id: string;
  scheduled_at: Date;
  fired_at: Date;
  run_id: string | null;
  thread_id: string | null;
  lag_ms: string;
  status: CronFiring['status'];
  catch_up: boolean;
  error: string | null;
}

const SORTABLE = new Set(['cron_id', 'assistant_id', 'thread_id', 'next_run_date', 'end_time', 'created_at', 'updated_at']);

function toCron(row: PgCronRow): CronRecord {
  return {
    cron_id: row.cron_id,
    assistant_id: row.assistant_id,
    thread_id: row.thread_id,
    schedule: row.schedule,
    timezone: row.timezone,
    end_time: toIso(row.end_time),
    enabled: row.enabled,
    on_run_completed: row.on_run_completed as OnRunCompleted | null,
    payload: row.payload ?? {},
    metadata: row.metadata ?? {},
    user_id: row.user_id,
    next_run_date: toIso(row.next_run_date),
    last_fired_at: toIso(row.last_fired_at),
    last_firing_lag_ms: row.last_firing_lag_ms === null ? null : Number(row.last_firing_lag_ms),
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
    auth_user: row.auth_user ?? null,
  };
}

function toFiring(row: PgFiringRow): CronFiring {
  return { ...row, scheduled_at: toIso(row.scheduled_at), fired_at: toIso(row.fired_at), lag_ms: Number(row.lag_ms) };
}

/** The user-editable columns, in table order: schedule … metadata. */
function editable(cron: CronRecord): unknown[] {
  return [cron.schedule, cron.timezone, cron.end_time, cron.enabled, cron.on_run_completed, jsonParam(cron.payload ?? {}), jsonParam(cron.metadata ?? {})];
}

function whereClause(filter: CronFilter): PgWhere {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.assistantId !== undefined) add('assistant_id = ?', filter.assistantId);
  if (filter.threadId !== undefined) add('thread_id = ?', filter.threadId);
  if (filter.enabled !== undefined) add('enabled = ?', filter.enabled);
  if (filter.metadata && Object.keys(filter.metadata).length > 0) add('metadata @> ?::jsonb', JSON.stringify(filter.metadata));
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** Thrown inside a firing transaction to roll back the firing row when the cron moved meanwhile. */
class StaleCron extends Error {}

/**
 * Crons on PostgreSQL. A firing is one transaction: the (cron_id, scheduled_at) key admits one firing
 * per slot (a second scheduler waits on the key, then finds it taken), a compare-and-set on the cron
 * row refuses a firing read before a patch, and the run is created on the same client.
 */
@Injectable()
export class PostgresCronsRepository extends CronsRepository {
  private readonly runs: PostgresRunsRepository;

  constructor(@Inject(PG_POOL) private readonly pool: PgPool, runs: RunsRepository) {
    super();
    if (!(runs instanceof PostgresRunsRepository)) throw new Error('PostgresCronsRepository needs the PostgreSQL runs adapter');
    this.runs = runs;
  }

  async insert(cron: CronRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO crons (cron_id, assistant_id, thread_id, schedule, timezone, end_time, enabled, on_run_completed, payload, metadata,
         user_id, next_run_date, last_fired_at, last_firing_lag_ms, created_at, updated_at, auth_user)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
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
        cron.auth_user === null ? null : jsonParam(cron.auth_user),
      ],
    );
  }

  async get(cronId: string): Promise<CronRecord | null> {
    const { rows } = await this.pool.query<PgCronRow>('SELECT * FROM crons WHERE cron_id = $1', [cronId]);
    return rows[0] ? toCron(rows[0]) : null;
  }

  async update(cron: CronRecord): Promise<CronRecord | null> {
    const { rows } = await this.pool.query<PgCronRow>(
      `UPDATE crons SET schedule = $1, timezone = $2, end_time = $3, enabled = $4, on_run_completed = $5, payload = $6, metadata = $7,
         next_run_date = $8, updated_at = $9
       WHERE cron_id = $10 RETURNING *`,
      [...editable(cron), cron.next_run_date, cron.updated_at, cron.cron_id],
    );
    return rows[0] ? toCron(rows[0]) : null;
  }

  async delete(cronId: string): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM cron_firings WHERE cron_id = $1', [cronId]);
      const result = await client.query('DELETE FROM crons WHERE cron_id = $1', [cronId]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  async search(filter: CronFilter, page: CronPageRequest): Promise<{ items: CronRecord[]; total: number }> {
    const sortBy = SORTABLE.has(page.sortBy) ? page.sortBy : 'created_at';
    const { rows, total } = await searchPage<PgCronRow>(this.pool, 'crons', 'cron_id', whereClause(filter), { ...page, sortBy });
    return { items: rows.map(toCron), total };
  }

  async count(filter: CronFilter): Promise<number> {
    return countRows(this.pool, 'crons', whereClause(filter));
  }

  async listDue(now: string, limit: number): Promise<CronRecord[]> {
    const { rows } = await this.pool.query<PgCronRow>(
      'SELECT * FROM crons WHERE enabled AND next_run_date <= $1 ORDER BY next_run_date, cron_id COLLATE "C" LIMIT $2',
      [now, limit],
    );
    return rows.map(toCron);
  }

  async nextDueAt(): Promise<string | null> {
    const { rows } = await this.pool.query<{ due: Date | null }>('SELECT MIN(next_run_date) AS due FROM crons WHERE enabled');
    return toIso(rows[0]?.due ?? null);
  }

  async fire(command: FireCommand): Promise<FireResult> {
    try {
      return await withTransaction(this.pool, async (client): Promise<FireResult> => {
        const inserted = await client.query(
          `INSERT INTO cron_firings (cron_id, scheduled_at, fired_at, run_id, thread_id, lag_ms, status, catch_up, error)
           VALUES ($1, $2, $3, $4, $5, $6, 'created', $7, $8) ON CONFLICT (cron_id, scheduled_at) DO NOTHING`,
          [
            command.expected.cronId,
            command.scheduledAt,
            command.firedAt,
            command.run?.run.run_id ?? null,
            command.run?.run.thread_id ?? null,
            command.lagMs,
            command.catchUp,
            command.error,
          ],
        );
        // Moved past the slot when the cron still points at it (see the SQLite adapter).
        if (inserted.rowCount === 0) return { kind: 'duplicate', advanced: await this.advanceRow(client, command, null, null) };
        if (!(await this.advanceRow(client, command, command.firedAt, command.lagMs))) throw new StaleCron();
        const run = command.run ? await this.runs.createRunInTransaction(client, command.run) : null;
        const status = firingStatus(run);
        if (status !== 'created') {
          await client.query('UPDATE cron_firings SET status = $1, run_id = NULL WHERE cron_id = $2 AND scheduled_at = $3', [
            status,
            command.expected.cronId,
            command.scheduledAt,
          ]);
        }
        // The thread of a thread cron is gone: the cron can never fire again.
        if (run?.kind === 'thread-not-found') {
          await client.query('UPDATE crons SET enabled = false, next_run_date = NULL WHERE cron_id = $1', [command.expected.cronId]);
        }
        return { kind: 'fired', run };
      });
    } catch (error) {
      if (error instanceof StaleCron) return { kind: 'stale' };
      throw error;
    }
  }

  async advance(command: AdvanceCommand): Promise<boolean> {
    return this.advanceRow(this.pool, command, null, null);
  }

  async listFirings(cronId: string, page: { limit: number; offset: number }): Promise<CronFiring[]> {
    const { rows } = await this.pool.query<PgFiringRow>(
      'SELECT * FROM cron_firings WHERE cron_id = $1 ORDER BY scheduled_at DESC LIMIT $2 OFFSET $3',
      [cronId, page.limit, page.offset],
    );
    return rows.map(toFiring);
  }

  async purge(endedBefore: string, firedBefore: string): Promise<{ crons: number; firings: number }> {
    return withTransaction(this.pool, async (client) => {
      const ended = await client.query<{ cron_id: string }>(
        'DELETE FROM crons WHERE end_time IS NOT NULL AND end_time < $1 RETURNING cron_id',
        [endedBefore],
      );
      const ids = ended.rows.map((row) => row.cron_id);
      const ofEnded = await client.query('DELETE FROM cron_firings WHERE cron_id = ANY($1::text[])', [ids]);
      const old = await client.query('DELETE FROM cron_firings WHERE fired_at < $1', [firedBefore]);
      return { crons: ids.length, firings: (ofEnded.rowCount ?? 0) + (old.rowCount ?? 0) };
    });
  }

  /** Compare-and-set on the version the scheduler read: a patch, a delete or another scheduler wins. */
  private async advanceRow(
    db: PgClient | PgPool,
    command: AdvanceCommand,
    firedAt: string | null,
    lagMs: number | null,
  ): Promise<boolean> {
    const { expected } = command;
    const result = await db.query(
      `UPDATE crons SET next_run_date = $1, enabled = CASE WHEN $2 THEN false ELSE enabled END,
         last_fired_at = COALESCE($3, last_fired_at), last_firing_lag_ms = COALESCE($4, last_firing_lag_ms)
       WHERE cron_id = $5 AND enabled AND next_run_date = $6 AND updated_at = $7`,
      [command.nextRunDate, command.expire, firedAt, lagMs, expected.cronId, expected.nextRunDate, expected.updatedAt],
    );
    return (result.rowCount ?? 0) > 0;
  }
}

function firingStatus(run: CreateRunResult | null): CronFiring['status'] {
  if (!run || run.kind === 'thread-not-found') return 'error';
  return run.kind === 'conflict' ? 'busy' : 'created';
}
