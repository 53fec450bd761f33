import { Inject, Injectable } from '@nestjs/common';
import type { Run, RunStatus } from '@runhook/contracts';
import { ADVISORY_NAMESPACE } from '../persistence/postgres/pg-migrate';
import { jsonParam, PG_POOL, type PgClient, type PgPool, withTransaction } from '../persistence/postgres/pg-pool';
import type { RunEvent } from '../streaming/run-event';
import { type PgRunRow, pgRowToRecord, pgRowToRun, RUN_COLUMNS, RUN_COLUMNS_OF_R } from './postgres-run-rows';
import { insertDeliveryRowPg } from '../webhooks/postgres-deliveries.repository';
import {
  abandonedRunResult,
  type CancelAction,
  type CancelRequest,
  type CancelledRun,
  type CreateRunCommand,
  type CreateRunResult,
  type LeaseRenewal,
  type RunFence,
  type RunRecord,
  type RunResult,
  type RunWebhookFactory,
  finalValuesText,
  threadValuesText,
} from './run-record';
import { type ReclaimRequest, RunsRepository } from './runs.repository';

const ACTIVE = "status IN ('pending', 'running')";

interface ActiveRow {
  run_id: string;
  thread_id: string;
  status: string;
}

/**
 * The runs queue on PostgreSQL. Several replicas claim concurrently: `FOR UPDATE SKIP LOCKED` keeps
 * them off each other's rows, a per-thread advisory lock plus a fresh check keeps a thread to one
 * running run (a unique partial index backs that up), and writers that change a thread's status
 * lock its row first, so lock order is always thread, then runs.
 */
@Injectable()
export class PostgresRunsRepository extends RunsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {
    super();
  }

  async createRun(command: CreateRunCommand): Promise<CreateRunResult> {
    return withTransaction(this.pool, (client) => this.createRunInTransaction(client, command));
  }

  /** The body of `createRun`, for a caller already inside a transaction on `client` (a cron firing). */
  async createRunInTransaction(client: PgClient, command: CreateRunCommand): Promise<CreateRunResult> {
    const { run, now } = command;
    let exists = await this.lockThread(client, run.thread_id);
    if (!exists && command.threadToCreate) {
      const created = command.threadToCreate;
      await client.query(
        `INSERT INTO threads (thread_id, created_at, updated_at, state_updated_at, metadata, status, config, state_values, interrupts, error)
         VALUES ($1, $2, $2, $2, $3, 'idle', $4, NULL, '{}', NULL) ON CONFLICT (thread_id) DO NOTHING`,
        [created.thread_id, now, jsonParam(created.metadata ?? {}), jsonParam(created.config ?? {})],
      );
      exists = await this.lockThread(client, run.thread_id);
    }
    if (!exists) return { kind: 'thread-not-found' };
    const active = await client.query<ActiveRow>(
      `SELECT run_id, thread_id, status FROM runs WHERE thread_id = $1 AND ${ACTIVE} ORDER BY created_at FOR UPDATE`,
      [run.thread_id],
    );
    let cancelled: CancelledRun[] = [];
    if (active.rows.length > 0) {
      if (command.multitaskStrategy === 'reject') return { kind: 'conflict' };
      if (command.multitaskStrategy === 'interrupt' || command.multitaskStrategy === 'rollback') {
        cancelled = await this.cancelRows(client, active.rows, command.multitaskStrategy, now, command.webhookFor);
      }
    }
    await client.query(
      `INSERT INTO runs (run_id, thread_id, assistant_id, created_at, updated_at, status, metadata, multitask_strategy, kwargs,
         cron_id, cron_scheduled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        run.run_id,
        run.thread_id,
        run.assistant_id,
        run.created_at,
        run.updated_at,
        run.status,
        jsonParam(run.metadata ?? {}),
        run.multitask_strategy,
        jsonParam(run.kwargs ?? {}),
        command.cron?.cron_id ?? null,
        command.cron?.scheduled_at ?? null,
      ],
    );
    await client.query("UPDATE threads SET status = 'busy', metadata = metadata || $2::jsonb, config = $3, updated_at = $4 WHERE thread_id = $1", [
      run.thread_id,
      JSON.stringify(command.threadMetadata ?? {}),
      jsonParam(run.kwargs.config ?? {}),
      now,
    ]);
    return { kind: 'created', run, cancelled };
  }

  async claim(owner: string, limit: number, nowMs: number, leaseUntilMs: number): Promise<RunRecord[]> {
    const now = new Date(nowMs).toISOString();
    return withTransaction(this.pool, async (client) => {
      const candidates = await client.query<{ run_id: string; thread_id: string }>(
        `SELECT r.run_id, r.thread_id FROM runs r
         WHERE r.status = 'pending' AND r.created_at <= $1
           AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.thread_id = r.thread_id AND x.status = 'running')
         ORDER BY r.created_at, r.run_id LIMIT $2 FOR UPDATE OF r SKIP LOCKED`,
        [now, limit * 4],
      );
      const claimed: RunRecord[] = [];
      const threads = new Set<string>();
      for (const candidate of candidates.rows) {
        if (claimed.length >= limit) break;
        if (threads.has(candidate.thread_id)) continue;
        threads.add(candidate.thread_id);
        // Another replica may be claiming on this thread right now: whoever holds the lock goes on.
        const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [
          ADVISORY_NAMESPACE,
          candidate.thread_id,
        ]);
        if (!lock.rows[0]?.ok) continue;
        // A new statement sees runs other replicas set running and committed since our first query.
        const updated = await client.query<PgRunRow>(
          `UPDATE runs SET status = 'running', owner = $1, lease_until = $2, attempt = attempt + 1, started_at = COALESCE(started_at, $3), updated_at = $3
           WHERE run_id = $4 AND status = 'pending'
             AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.thread_id = $5 AND x.status = 'running')
           RETURNING ${RUN_COLUMNS}`,
          [owner, leaseUntilMs, now, candidate.run_id, candidate.thread_id],
        );
        if (updated.rows[0]) claimed.push(pgRowToRecord(updated.rows[0]));
      }
      return claimed;
    });
  }

  async nextDueAt(nowMs: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ due: Date | null }>(
      "SELECT MIN(created_at) AS due FROM runs WHERE status = 'pending' AND created_at > $1",
      [new Date(nowMs).toISOString()],
    );
    return rows[0]?.due ? rows[0].due.getTime() : null;
  }

  async renewLeases(owner: string, leases: Map<string, RunFence>, leaseUntilMs: number): Promise<LeaseRenewal> {
    if (leases.size === 0) return { lost: [], cancels: [] };
    const runIds = [...leases.keys()];
    const renewed = await this.pool.query<{ run_id: string }>(
      `UPDATE runs SET lease_until = $1 FROM unnest($2::text[], $3::int[]) AS held(run_id, attempt)
       WHERE runs.run_id = held.run_id AND runs.attempt = held.attempt AND runs.owner = $4 AND runs.status = 'running'
       RETURNING runs.run_id`,
      [leaseUntilMs, runIds, runIds.map((runId) => leases.get(runId)?.attempt ?? 0), owner],
    );
    const held = new Set(renewed.rows.map((row) => row.run_id));
    const { rows } = await this.pool.query<{ run_id: string; action: string }>(
      "SELECT run_id, cancel_action AS action FROM runs WHERE owner = $1 AND status = 'running' AND cancel_action IS NOT NULL",
      [owner],
    );
    return { lost: runIds.filter((runId) => !held.has(runId)), cancels: rows };
  }

  async releaseLeases(owner: string, leases: Map<string, RunFence>, nowMs: number): Promise<string[]> {
    if (leases.size === 0) return [];
    const runIds = [...leases.keys()];
    const released = await this.pool.query<{ run_id: string }>(
      `UPDATE runs SET status = 'pending', owner = NULL, lease_until = NULL, released_attempts = runs.released_attempts + 1, updated_at = $1
       FROM unnest($2::text[], $3::int[]) AS held(run_id, attempt)
       WHERE runs.run_id = held.run_id AND runs.attempt = held.attempt AND runs.owner = $4 AND runs.status = 'running'
       RETURNING runs.run_id`,
      [new Date(nowMs).toISOString(), runIds, runIds.map((runId) => leases.get(runId)?.attempt ?? 0), owner],
    );
    return released.rows.map((row) => row.run_id);
  }

  async reclaimExpired(request: ReclaimRequest): Promise<{ requeued: string[]; exhausted: RunRecord[] }> {
    return withTransaction(this.pool, async (client) => {
      const expired = await client.query<PgRunRow & { released_attempts: number }>(
        `SELECT ${RUN_COLUMNS}, released_attempts FROM runs WHERE status = 'running' AND lease_until < $1 ORDER BY created_at FOR UPDATE SKIP LOCKED`,
        [request.nowMs],
      );
      // Attempts handed back at shutdown were not used up.
      const used = (row: PgRunRow & { released_attempts: number }) => row.attempt - row.released_attempts;
      const exhausted = expired.rows.filter((row) => used(row) >= request.maxAttempts).map(pgRowToRecord);
      const requeued = expired.rows.filter((row) => used(row) < request.maxAttempts).map((row) => row.run_id);
      if (requeued.length > 0) {
        await client.query("UPDATE runs SET status = 'pending', owner = NULL, lease_until = NULL WHERE run_id = ANY($1::text[])", [requeued]);
      }
      const endedAt = new Date(request.nowMs).toISOString();
      const ended: RunRecord[] = [];
      for (const run of exhausted) {
        // Every other writer locks the thread before its runs; this one holds the run already, so it never waits
        // for a thread lock (that could deadlock): a thread busy right now is left to the next pass.
        const thread = await client.query<{ state_values: Record<string, unknown> | null }>(
          'SELECT state_values FROM threads WHERE thread_id = $1 FOR UPDATE SKIP LOCKED',
          [run.thread_id],
        );
        if (!thread.rows[0] && (await client.query('SELECT 1 FROM threads WHERE thread_id = $1', [run.thread_id])).rows.length > 0) continue;
        const values = thread.rows[0] ? { values: thread.rows[0].state_values } : null;
        await this.endRun(client, run.run_id, run.thread_id, abandonedRunResult(run, endedAt, values, request.webhookFor));
        ended.push(run);
      }
      return { requeued, exhausted: ended };
    });
  }

  async finish(runId: string, result: RunResult, fence?: RunFence): Promise<boolean> {
    const ended = await withTransaction(this.pool, async (client) => {
      const found = await client.query<{ thread_id: string }>('SELECT thread_id FROM runs WHERE run_id = $1', [runId]);
      const threadId = found.rows[0]?.thread_id;
      if (threadId) {
        await this.lockThread(client, threadId);
        const current = await client.query<{ status: string; attempt: number }>('SELECT status, attempt FROM runs WHERE run_id = $1 FOR UPDATE', [runId]);
        const row = current.rows[0];
        // A stale worker (its lease lapsed and another attempt took the run, or the run already ended) writes nothing.
        if (row && fence && (row.status !== 'running' || row.attempt !== fence.attempt)) return false;
      }
      await this.endRun(client, runId, threadId ?? null, result);
      return true;
    });
    if (ended) result.onCommitted?.();
    return ended;
  }

  async get(runId: string): Promise<RunRecord | null> {
    const { rows } = await this.pool.query<PgRunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = $1`, [runId]);
    return rows[0] ? pgRowToRecord(rows[0]) : null;
  }

  async list(threadId: string, options: { limit: number; offset: number; status?: RunStatus }): Promise<Run[]> {
    const { rows } = await this.pool.query<PgRunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE thread_id = $1 AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC, run_id DESC LIMIT $3 OFFSET $4`,
      [threadId, options.status ?? null, options.limit, options.offset],
    );
    return rows.map(pgRowToRun);
  }

  async delete(runId: string): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM run_events WHERE run_id = $1', [runId]);
      const result = await client.query('DELETE FROM runs WHERE run_id = $1', [runId]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  async cancel(request: CancelRequest): Promise<CancelledRun[]> {
    const clauses = [ACTIVE];
    const params: unknown[] = [];
    if (request.runIds) {
      params.push(request.runIds);
      clauses.push(`run_id = ANY($${params.length}::text[])`);
    }
    if (request.threadId) {
      params.push(request.threadId);
      clauses.push(`thread_id = $${params.length}`);
    }
    if (request.status && request.status !== 'all') {
      params.push(request.status);
      clauses.push(`status = $${params.length}`);
    }
    const select = `SELECT run_id, thread_id, status FROM runs WHERE ${clauses.join(' AND ')} ORDER BY created_at, run_id`;
    return withTransaction(this.pool, async (client) => {
      const preview = await client.query<ActiveRow>(select, params);
      if (preview.rows.length === 0) return [];
      // Threads first, then runs: the same lock order as createRun and finish.
      const threadIds = [...new Set(preview.rows.map((row) => row.thread_id))].sort();
      await client.query('SELECT thread_id FROM threads WHERE thread_id = ANY($1::text[]) ORDER BY thread_id FOR UPDATE', [threadIds]);
      const rows = await client.query<ActiveRow>(`${select} FOR UPDATE`, params);
      return this.cancelRows(client, rows.rows, request.action, request.now, request.webhookFor);
    });
  }

  async purgeDetached(endedBefore: string): Promise<number> {
    const detached = 'ended_at IS NOT NULL AND ended_at < $1 AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.thread_id = runs.thread_id)';
    return withTransaction(this.pool, async (client) => {
      await client.query(`DELETE FROM run_events WHERE run_id IN (SELECT run_id FROM runs WHERE ${detached})`, [endedBefore]);
      const result = await client.query(`DELETE FROM runs WHERE ${detached}`, [endedBefore]);
      return result.rowCount ?? 0;
    });
  }

  async appendEvents(runId: string, events: RunEvent[], fence?: RunFence): Promise<void> {
    if (events.length === 0) return;
    const columns = [runId, events.map((event) => event.seq), events.map((event) => event.event), events.map((event) => event.data)];
    const rows = 'SELECT $1, seq, event, data FROM unnest($2::integer[], $3::text[], $4::text[]) AS batch (seq, event, data)';
    if (!fence) {
      await this.pool.query(`INSERT INTO run_events (run_id, seq, event, data) ${rows} ON CONFLICT DO NOTHING`, columns);
      return;
    }
    await this.pool.query(
      `INSERT INTO run_events (run_id, seq, event, data)
       ${rows} WHERE EXISTS (SELECT 1 FROM runs WHERE run_id = $1 AND attempt = $5 AND status = 'running')
       ON CONFLICT DO NOTHING`,
      [...columns, fence.attempt],
    );
  }

  async listEvents(runId: string, afterSeq: number): Promise<RunEvent[]> {
    const { rows } = await this.pool.query<RunEvent>('SELECT seq, event, data FROM run_events WHERE run_id = $1 AND seq > $2::bigint ORDER BY seq', [
      runId,
      afterSeq,
    ]);
    return rows;
  }

  /** Writes a run end: the outbox row, the run (or its deletion) and the thread, inside the caller's transaction. */
  private async endRun(client: PgClient, runId: string, threadId: string | null, result: RunResult): Promise<void> {
    // The outbox row goes with the run end, even when the run was deleted meanwhile (its thread was).
    if (result.delivery) await insertDeliveryRowPg(client, result.delivery);
    if (!threadId) return;
    if (result.discard) {
      await client.query('DELETE FROM run_events WHERE run_id = $1', [runId]);
      await client.query('DELETE FROM runs WHERE run_id = $1', [runId]);
    } else {
      await client.query(
        `UPDATE runs SET status = $2, ended_at = $3, updated_at = $3, error = $4, final_values = $5, owner = NULL, lease_until = NULL, cancel_action = NULL
         WHERE run_id = $1`,
        [runId, result.status, result.endedAt, jsonParam(result.error), finalValuesText(result)],
      );
    }
    if (result.thread) await this.writeThreadEnd(client, threadId, runId, result);
  }

  private async lockThread(client: PgClient, threadId: string): Promise<boolean> {
    const { rows } = await client.query('SELECT 1 FROM threads WHERE thread_id = $1 FOR UPDATE', [threadId]);
    return rows.length > 0;
  }

  /** Pending runs end here and now; running ones get a flag their worker acts on. */
  private async cancelRows(
    client: PgClient,
    rows: ActiveRow[],
    action: CancelAction,
    now: string,
    webhookFor: RunWebhookFactory | undefined,
  ): Promise<CancelledRun[]> {
    const cancelled: CancelledRun[] = [];
    for (const row of rows) {
      if (row.status === 'running') {
        await client.query('UPDATE runs SET cancel_action = $2 WHERE run_id = $1', [row.run_id, action]);
        cancelled.push({ run_id: row.run_id, thread_id: row.thread_id, wasRunning: true, action });
        continue;
      }
      if (webhookFor) await this.writeCancelDelivery(client, row.run_id, now, webhookFor);
      if (action === 'rollback') {
        await client.query('DELETE FROM runs WHERE run_id = $1', [row.run_id]);
      } else {
        await client.query("UPDATE runs SET status = 'interrupted', ended_at = $2, updated_at = $2 WHERE run_id = $1", [row.run_id, now]);
      }
      await client.query(
        `UPDATE threads SET status = 'idle', updated_at = $2 WHERE thread_id = $1 AND status = 'busy'
           AND NOT EXISTS (SELECT 1 FROM runs WHERE thread_id = $1 AND ${ACTIVE})`,
        [row.thread_id, now],
      );
      cancelled.push({ run_id: row.run_id, thread_id: row.thread_id, wasRunning: false, action });
    }
    return cancelled;
  }

  /** A pending run that ends by cancellation still gets its one delivery, with the thread's current values. */
  private async writeCancelDelivery(client: PgClient, runId: string, now: string, webhookFor: RunWebhookFactory): Promise<void> {
    const { rows } = await client.query<PgRunRow & { state_values: unknown }>(
      `SELECT ${RUN_COLUMNS_OF_R}, t.state_values
       FROM runs r LEFT JOIN threads t ON t.thread_id = r.thread_id WHERE r.run_id = $1`,
      [runId],
    );
    if (!rows[0]) return;
    const delivery = webhookFor(pgRowToRecord(rows[0]), { status: 'interrupted', endedAt: now, error: null, values: rows[0].state_values ?? null });
    if (delivery) await insertDeliveryRowPg(client, delivery);
  }

  private async writeThreadEnd(client: PgClient, threadId: string, runId: string, result: RunResult): Promise<void> {
    const thread = result.thread;
    if (!thread) return;
    const others = await client.query(`SELECT 1 FROM runs WHERE thread_id = $1 AND run_id <> $2 AND ${ACTIVE} LIMIT 1`, [threadId, runId]);
    await client.query(
      `UPDATE threads SET status = $2, state_values = $3, interrupts = $4, error = $5, updated_at = $6, state_updated_at = $6 WHERE thread_id = $1`,
      [
        threadId,
        others.rows.length > 0 ? 'busy' : thread.status,
        threadValuesText(result),
        jsonParam(thread.interrupts ?? {}),
        jsonParam(thread.error),
        result.endedAt,
      ],
    );
  }
}
