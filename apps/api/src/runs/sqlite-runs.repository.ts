import { Inject, Injectable } from '@nestjs/common';
import type { Run, RunStatus } from '@runhook/contracts';
import { parseJson } from '../common/json';
import { immediateTransaction, prepared } from '../persistence/prepared';
import { commitDurably } from '../persistence/sqlite-database';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import type { RunEvent } from '../streaming/run-event';
import { insertDeliveryRow } from '../webhooks/sqlite-deliveries.repository';
import {
  abandonedRunResult,
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
import { type RunRow, toRecord, toRun } from './sqlite-run-rows';

// Written exactly as the partial index runs_active_by_thread's condition: SQLite uses a partial index only for a
// query that repeats its condition term for term.
const ACTIVE = "status IN ('pending', 'running')";

/** Pending runs due now whose thread has none running; the thread's running run is found by the partial index. */
const CLAIMABLE = `r.status = 'pending' AND r.created_at <= ?
    AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.thread_id = r.thread_id AND x.${ACTIVE} AND x.status = 'running')`;

/** The claimable runs, oldest first. */
export const CLAIM_CANDIDATES_SQL = `SELECT r.* FROM runs r WHERE ${CLAIMABLE} ORDER BY r.created_at, r.run_id LIMIT ?`;

/** Whether any run is claimable now, answered from the `runs_queue` index alone. */
const ANY_CLAIMABLE_SQL = `SELECT 1 FROM runs r WHERE ${CLAIMABLE} LIMIT 1`;

/** The pending and running runs of a thread (a new run's multitask check). */
export const ACTIVE_ON_THREAD_SQL = `SELECT run_id, status FROM runs WHERE thread_id = ? AND ${ACTIVE}`;

@Injectable()
export class SqliteRunsRepository extends RunsRepository {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {
    super();
  }

  async createRun(command: CreateRunCommand): Promise<CreateRunResult> {
    const create = () => immediateTransaction(this.db, () => this.createRunInTransaction(command));
    // Interrupt and rollback end the thread's other runs (and write their deliveries) in this transaction.
    const endsRuns = command.multitaskStrategy === 'interrupt' || command.multitaskStrategy === 'rollback';
    return endsRuns ? commitDurably(this.db, create) : create();
  }

  /** The body of `createRun`, for a caller already inside a transaction on this connection (a cron firing). */
  createRunInTransaction(command: CreateRunCommand): CreateRunResult {
    const { run, now } = command;
    const thread = prepared(this.db, 'SELECT metadata FROM threads WHERE thread_id = ?').get(run.thread_id) as
      | { metadata: string }
      | undefined;
    let metadata: Record<string, unknown>;
    if (thread) {
      metadata = parseJson(thread.metadata, {});
    } else if (command.threadToCreate) {
      const created = command.threadToCreate;
      prepared(
        this.db,
        `INSERT INTO threads (thread_id, created_at, updated_at, state_updated_at, metadata, status, config, state_values, interrupts, error)
         VALUES (?, ?, ?, ?, ?, 'idle', ?, NULL, '{}', NULL)`,
      ).run(created.thread_id, now, now, now, JSON.stringify(created.metadata), JSON.stringify(created.config));
      metadata = created.metadata;
    } else {
      return { kind: 'thread-not-found' };
    }
    const active = prepared(this.db, ACTIVE_ON_THREAD_SQL).all(run.thread_id) as {
      run_id: string;
      status: string;
    }[];
    let cancelled: CancelledRun[] = [];
    if (active.length > 0) {
      if (command.multitaskStrategy === 'reject') return { kind: 'conflict' };
      if (command.multitaskStrategy === 'interrupt' || command.multitaskStrategy === 'rollback') {
        cancelled = this.cancelRows(active, command.multitaskStrategy, now, command.webhookFor);
      }
    }
    this.insertRun(run, command);
    prepared(this.db, "UPDATE threads SET status = 'busy', metadata = ?, config = ?, updated_at = ? WHERE thread_id = ?").run(
      JSON.stringify({ ...metadata, ...command.threadMetadata }),
      JSON.stringify(run.kwargs.config ?? {}),
      now,
      run.thread_id,
    );
    return { kind: 'created', run, cancelled };
  }

  async claim(owner: string, limit: number, nowMs: number, leaseUntilMs: number): Promise<RunRecord[]> {
    const now = new Date(nowMs).toISOString();
    // Most passes find nothing (one follows every run's end): those take no write lock and commit nothing. A run that
    // becomes claimable after this read wakes another pass, as it would after an empty claim.
    if (!this.db.inTransaction && !prepared(this.db, ANY_CLAIMABLE_SQL).get(now)) return [];
    return immediateTransaction(this.db, (): RunRecord[] => {
      const candidates = prepared(this.db, CLAIM_CANDIDATES_SQL).all(now, limit * 4) as RunRow[];
      const claimed: RunRecord[] = [];
      const threads = new Set<string>();
      for (const row of candidates) {
        if (claimed.length >= limit) break;
        if (threads.has(row.thread_id)) continue;
        threads.add(row.thread_id);
        prepared(
          this.db,
          `UPDATE runs SET status = 'running', owner = ?, lease_until = ?, attempt = attempt + 1, started_at = COALESCE(started_at, ?), updated_at = ?
           WHERE run_id = ?`,
        ).run(owner, leaseUntilMs, now, now, row.run_id);
        claimed.push(toRecord({ ...row, status: 'running', attempt: row.attempt + 1, started_at: row.started_at ?? now, updated_at: now }));
      }
      return claimed;
    });
  }

  async nextDueAt(nowMs: number): Promise<number | null> {
    const row = prepared(this.db, "SELECT MIN(created_at) AS due FROM runs WHERE status = 'pending' AND created_at > ?").get(
      new Date(nowMs).toISOString(),
    ) as { due: string | null };
    return row.due ? Date.parse(row.due) : null;
  }

  async renewLeases(owner: string, leases: Map<string, RunFence>, leaseUntilMs: number): Promise<LeaseRenewal> {
    if (leases.size === 0) return { lost: [], cancels: [] };
    return immediateTransaction(this.db, (): LeaseRenewal => {
      const renew = prepared(this.db, "UPDATE runs SET lease_until = ? WHERE run_id = ? AND owner = ? AND attempt = ? AND status = 'running'");
      const lost: string[] = [];
      for (const [runId, fence] of leases) {
        if (renew.run(leaseUntilMs, runId, owner, fence.attempt).changes === 0) lost.push(runId);
      }
      const cancels = prepared(
        this.db,
        `SELECT run_id, cancel_action AS action FROM runs WHERE owner = ? AND status = 'running' AND cancel_action IS NOT NULL`,
      ).all(owner) as { run_id: string; action: string }[];
      return { lost, cancels };
    });
  }

  async releaseLeases(owner: string, leases: Map<string, RunFence>, nowMs: number): Promise<string[]> {
    if (leases.size === 0) return [];
    return immediateTransaction(this.db, (): string[] => {
      const release = prepared(
        this.db,
        `UPDATE runs SET status = 'pending', owner = NULL, lease_until = NULL, released_attempts = released_attempts + 1, updated_at = ?
         WHERE run_id = ? AND owner = ? AND attempt = ? AND status = 'running'`,
      );
      const now = new Date(nowMs).toISOString();
      return [...leases].filter(([runId, fence]) => release.run(now, runId, owner, fence.attempt).changes > 0).map(([runId]) => runId);
    });
  }

  async reclaimExpired(request: ReclaimRequest): Promise<{ requeued: string[]; exhausted: RunRecord[] }> {
    const apply = () => immediateTransaction(this.db, () => {
      const expired = prepared(this.db, "SELECT * FROM runs WHERE status = 'running' AND lease_until < ?").all(request.nowMs) as RunRow[];
      const requeued: string[] = [];
      const exhausted: RunRecord[] = [];
      const endedAt = new Date(request.nowMs).toISOString();
      for (const row of expired) {
        if (row.attempt - (row.released_attempts ?? 0) >= request.maxAttempts) {
          const record = toRecord(row);
          const thread = prepared(this.db, 'SELECT state_values FROM threads WHERE thread_id = ?').get(row.thread_id) as
            | { state_values: string | null }
            | undefined;
          const values = thread ? { values: parseJson<Record<string, unknown> | null>(thread.state_values, null) } : null;
          this.endRun(row, abandonedRunResult(record, endedAt, values, request.webhookFor));
          exhausted.push(record);
          continue;
        }
        prepared(this.db, "UPDATE runs SET status = 'pending', owner = NULL, lease_until = NULL WHERE run_id = ?").run(row.run_id);
        requeued.push(row.run_id);
      }
      return { requeued, exhausted };
    });
    // Exhausted runs end here, with their outbox rows: as durable as any other run end.
    return commitDurably(this.db, apply);
  }

  async finish(runId: string, result: RunResult, fence?: RunFence): Promise<boolean> {
    const apply = () => immediateTransaction(this.db, (): boolean => {
      const row = prepared(this.db, 'SELECT thread_id, status, attempt FROM runs WHERE run_id = ?').get(runId) as
        | Pick<RunRow, 'thread_id' | 'status' | 'attempt'>
        | undefined;
      // A stale worker (its lease lapsed and another attempt took the run, or the run already ended) writes nothing.
      if (row && fence && (row.status !== 'running' || row.attempt !== fence.attempt)) return false;
      this.endRun(row ? { ...row, run_id: runId } : null, result);
      return true;
    });
    return commitDurably(this.db, () => {
      const ended = apply();
      if (ended) result.onCommitted?.();
      return ended;
    });
  }

  async get(runId: string): Promise<RunRecord | null> {
    const row = prepared(this.db, 'SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row ? toRecord(row) : null;
  }

  async list(threadId: string, options: { limit: number; offset: number; status?: RunStatus }): Promise<Run[]> {
    const rows = (
      options.status
        ? prepared(this.db, 'SELECT * FROM runs WHERE thread_id = ? AND status = ? ORDER BY created_at DESC, run_id DESC LIMIT ? OFFSET ?').all(
            threadId,
            options.status,
            options.limit,
            options.offset,
          )
        : prepared(this.db, 'SELECT * FROM runs WHERE thread_id = ? ORDER BY created_at DESC, run_id DESC LIMIT ? OFFSET ?').all(
            threadId,
            options.limit,
            options.offset,
          )
    ) as RunRow[];
    return rows.map(toRun);
  }

  async delete(runId: string): Promise<boolean> {
    return immediateTransaction(this.db, () => {
      prepared(this.db, 'DELETE FROM run_events WHERE run_id = ?').run(runId);
      return prepared(this.db, 'DELETE FROM runs WHERE run_id = ?').run(runId).changes > 0;
    });
  }

  async cancel(request: CancelRequest): Promise<CancelledRun[]> {
    const apply = () => immediateTransaction(this.db, () => {
      const clauses = [ACTIVE];
      const params: unknown[] = [];
      if (request.runIds) {
        // One JSON parameter, not one per id: a long list stays under SQLite's bound-variable limit.
        clauses.push('run_id IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(request.runIds));
      }
      if (request.threadId) {
        clauses.push('thread_id = ?');
        params.push(request.threadId);
      }
      if (request.status && request.status !== 'all') {
        clauses.push('status = ?');
        params.push(request.status);
      }
      const rows = prepared(this.db, `SELECT run_id, status FROM runs WHERE ${clauses.join(' AND ')}`).all(...params) as {
        run_id: string;
        status: string;
      }[];
      return this.cancelRows(rows, request.action, request.now, request.webhookFor);
    });
    return commitDurably(this.db, apply);
  }

  async purgeDetached(endedBefore: string): Promise<number> {
    const detached = "ended_at IS NOT NULL AND ended_at < ? AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.thread_id = runs.thread_id)";
    return immediateTransaction(this.db, () => {
      prepared(this.db, `DELETE FROM run_events WHERE run_id IN (SELECT run_id FROM runs WHERE ${detached})`).run(endedBefore);
      return prepared(this.db, `DELETE FROM runs WHERE ${detached}`).run(endedBefore).changes;
    });
  }

  async appendEvents(runId: string, events: RunEvent[], fence?: RunFence): Promise<void> {
    const insert = fence
      ? prepared(
          this.db,
          `INSERT OR IGNORE INTO run_events (run_id, seq, event, data)
           SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM runs WHERE run_id = ? AND attempt = ? AND status = 'running')`,
        )
      : prepared(this.db, 'INSERT OR IGNORE INTO run_events (run_id, seq, event, data) VALUES (?, ?, ?, ?)');
    immediateTransaction(this.db, () => {
      for (const event of events) {
        if (fence) insert.run(runId, event.seq, event.event, event.data, runId, fence.attempt);
        else insert.run(runId, event.seq, event.event, event.data);
      }
    });
  }

  async listEvents(runId: string, afterSeq: number): Promise<RunEvent[]> {
    return prepared(this.db, 'SELECT seq, event, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq').all(runId, afterSeq) as RunEvent[];
  }

  private insertRun(run: Run, command: CreateRunCommand): void {
    prepared(
      this.db,
      `INSERT INTO runs (run_id, thread_id, assistant_id, created_at, updated_at, status, metadata, multitask_strategy, kwargs,
         cron_id, cron_scheduled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      run.run_id,
      run.thread_id,
      run.assistant_id,
      run.created_at,
      run.updated_at,
      run.status,
      JSON.stringify(run.metadata),
      run.multitask_strategy,
      JSON.stringify(run.kwargs),
      command.cron?.cron_id ?? null,
      command.cron?.scheduled_at ?? null,
    );
  }

  /** Writes a run end: the outbox row, the run (or its deletion) and the thread, inside the caller's transaction. */
  private endRun(row: { run_id: string; thread_id: string } | null, result: RunResult): void {
    // The outbox row goes with the run end, even when the run was deleted meanwhile (its thread was).
    if (result.delivery) insertDeliveryRow(this.db, result.delivery);
    if (!row) return;
    const runId = row.run_id;
    if (result.discard) {
      prepared(this.db, 'DELETE FROM run_events WHERE run_id = ?').run(runId);
      prepared(this.db, 'DELETE FROM runs WHERE run_id = ?').run(runId);
    } else {
      prepared(
        this.db,
        `UPDATE runs SET status = ?, ended_at = ?, updated_at = ?, error = ?, final_values = ?, owner = NULL, lease_until = NULL, cancel_action = NULL
         WHERE run_id = ?`,
      ).run(result.status, result.endedAt, result.endedAt, result.error ? JSON.stringify(result.error) : null, finalValuesText(result), runId);
    }
    if (result.thread) this.writeThreadEnd(row.thread_id, runId, result);
  }

  /** Pending runs end here and now; running ones get a flag their worker acts on. */
  private cancelRows(
    rows: { run_id: string; status: string }[],
    action: 'interrupt' | 'rollback',
    now: string,
    webhookFor: RunWebhookFactory | undefined,
  ): CancelledRun[] {
    const cancelled: CancelledRun[] = [];
    for (const row of rows) {
      const { thread_id } = prepared(this.db, 'SELECT thread_id FROM runs WHERE run_id = ?').get(row.run_id) as { thread_id: string };
      if (row.status === 'running') {
        prepared(this.db, 'UPDATE runs SET cancel_action = ? WHERE run_id = ?').run(action, row.run_id);
        cancelled.push({ run_id: row.run_id, thread_id, wasRunning: true, action });
        continue;
      }
      if (webhookFor) this.writeCancelDelivery(row.run_id, now, webhookFor);
      if (action === 'rollback') {
        prepared(this.db, 'DELETE FROM runs WHERE run_id = ?').run(row.run_id);
      } else {
        prepared(this.db, "UPDATE runs SET status = 'interrupted', ended_at = ?, updated_at = ? WHERE run_id = ?").run(now, now, row.run_id);
      }
      const stillActive = prepared(this.db, `SELECT 1 FROM runs WHERE thread_id = ? AND ${ACTIVE} LIMIT 1`).get(thread_id);
      if (!stillActive) prepared(this.db, "UPDATE threads SET status = 'idle', updated_at = ? WHERE thread_id = ? AND status = 'busy'").run(now, thread_id);
      cancelled.push({ run_id: row.run_id, thread_id, wasRunning: false, action });
    }
    return cancelled;
  }

  /** A pending run that ends by cancellation still gets its one delivery, with the thread's current values. */
  private writeCancelDelivery(runId: string, now: string, webhookFor: RunWebhookFactory): void {
    const row = prepared(this.db, 'SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow;
    const thread = prepared(this.db, 'SELECT state_values FROM threads WHERE thread_id = ?').get(row.thread_id) as
      | { state_values: string | null }
      | undefined;
    const delivery = webhookFor(toRecord(row), { status: 'interrupted', endedAt: now, error: null, values: parseJson(thread?.state_values, null) });
    if (delivery) insertDeliveryRow(this.db, delivery);
  }

  private writeThreadEnd(threadId: string, runId: string, result: RunResult): void {
    const thread = result.thread;
    if (!thread) return;
    const othersWaiting = prepared(this.db, `SELECT 1 FROM runs WHERE thread_id = ? AND run_id != ? AND ${ACTIVE} LIMIT 1`).get(threadId, runId);
    prepared(
      this.db,
      `UPDATE threads SET status = ?, state_values = ?, interrupts = ?, error = ?, updated_at = ?, state_updated_at = ? WHERE thread_id = ?`,
    ).run(
      othersWaiting ? 'busy' : thread.status,
      threadValuesText(result),
      JSON.stringify(thread.interrupts),
      thread.error ? JSON.stringify(thread.error) : null,
      result.endedAt,
      result.endedAt,
      threadId,
    );
  }
}
