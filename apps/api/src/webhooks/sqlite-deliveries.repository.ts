import { Inject, Injectable } from '@nestjs/common';
import type { WebhookDelivery, WebhookDeliveryDetail } from '@runhook/contracts';
import { immediateTransaction, prepared } from '../persistence/prepared';
import { commitDurably, untilDurable } from '../persistence/sqlite-database';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import {
  type AttemptRow,
  type ClaimRequest,
  type ClaimedDelivery,
  DeliveriesRepository,
  DuplicateDeliveryError,
  type DeliveryCompletion,
  type DeliveryFilter,
  type DeliveryRow,
  type EndpointAttempt,
  type NewWebhookDelivery,
  type RedeliverResult,
  toWireAttempt,
  toWireDelivery,
  budgetFor,
  endpointBudgets,
  type EndpointLease,
  withinEndpointLimits,
} from './deliveries.repository';

const FINISHED = "('succeeded', 'failed', 'gone', 'refused')";
// Endpoints with pending work looked at per claim; beyond that many, the rest wait for a later pass.
const MAX_ENDPOINTS_PER_CLAIM = 1_000;

/**
 * Writes an outbox row on the caller's connection, inside whatever transaction is open (the run-end one).
 * A second delivery with the same webhook_id is a DuplicateDeliveryError, which fails that transaction.
 */
export function insertDeliveryRow(db: SqliteConnection, delivery: NewWebhookDelivery): void {
  try {
    prepared(
      db,
      `INSERT INTO webhook_deliveries (delivery_id, webhook_id, run_id, thread_id, cron_id, url, endpoint, payload, status, attempts,
         next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    ).run(
      delivery.delivery_id,
      delivery.webhook_id,
      delivery.run_id,
      delivery.thread_id,
      delivery.cron_id,
      delivery.url,
      delivery.endpoint,
      delivery.payload,
      delivery.created_at,
      delivery.created_at,
      delivery.created_at,
    );
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && String((error as Error).message).includes('webhook_id')) {
      throw new DuplicateDeliveryError(delivery);
    }
    throw error;
  }
}

@Injectable()
export class SqliteDeliveriesRepository extends DeliveriesRepository {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {
    super();
  }

  async insert(delivery: NewWebhookDelivery): Promise<void> {
    insertDeliveryRow(this.db, delivery);
  }

  /**
   * Looks at each endpoint with pending work on its own (index on endpoint, due time), so a backlog for a slow or
   * dead endpoint never has to be scanned past to find another endpoint's deliveries. The leased rows per endpoint
   * are read from the table (the writer lock serialises claims), so WEBHOOK_MAX_PER_ENDPOINT holds for every
   * process on the file together.
   */
  async claim(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    return this.claimNow(request);
  }

  /** One IMMEDIATE transaction: each part runs as a savepoint inside it. */
  override async completeAndClaim(completions: DeliveryCompletion[], request: ClaimRequest): Promise<ClaimedDelivery[]> {
    return immediateTransaction(this.db, (): ClaimedDelivery[] => {
      this.completeNow(completions);
      return this.claimNow(request);
    });
  }

  private claimNow(request: ClaimRequest): ClaimedDelivery[] {
    const apply = () => immediateTransaction(this.db, (): ClaimedDelivery[] => {
      const leased = prepared(
        this.db,
        `SELECT endpoint, SUM(owner = ?) AS mine, COUNT(*) AS total FROM webhook_deliveries
         WHERE status = 'delivering' AND lease_until >= ? GROUP BY endpoint`,
      ).all(request.owner, request.nowMs) as EndpointLease[];
      const budgets = endpointBudgets(request, leased);
      const endpoints = this.endpointsWithPending();
      const due = prepared(
        this.db,
        `SELECT delivery_id, webhook_id, url, endpoint, payload, attempts, run_id, thread_id, cron_id, next_attempt_at FROM webhook_deliveries
         WHERE status = 'pending' AND endpoint = ? AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
      );
      type DueRow = Omit<ClaimedDelivery, 'send_limit'> & { next_attempt_at: number };
      const candidates: DueRow[] = [];
      for (const endpoint of endpoints) {
        const room = Math.min(budgetFor(budgets, endpoint, request).room, request.limit);
        if (room > 0) candidates.push(...(due.all(endpoint, request.nowMs, room) as DueRow[]));
      }
      candidates.sort((a, b) => a.next_attempt_at - b.next_attempt_at);
      const picked = withinEndpointLimits(candidates, request, budgets).map(({ next_attempt_at: _due, ...delivery }) => ({
        ...delivery,
        send_limit: budgetFor(budgets, delivery.endpoint, request).sendLimit,
      }));
      const lease = prepared(this.db, "UPDATE webhook_deliveries SET status = 'delivering', owner = ?, lease_until = ?, updated_at = ? WHERE delivery_id = ?");
      for (const delivery of picked) lease.run(request.owner, request.leaseUntilMs, request.nowMs, delivery.delivery_id);
      return picked;
    });
    // Not waited for here: the dispatcher sends only after untilDurable(), which covers the run end it announces.
    return apply();
  }

  /**
   * The endpoints with pending rows, in order, one index seek each (a skip scan of the partial index). The same walk
   * as one recursive CTE cost about 25 µs with a single endpoint (a 20,000-row backlog, in memory) against about 1 µs
   * a seek, and about 100 µs of every claim in the api under load.
   */
  private endpointsWithPending(): string[] {
    const first = prepared(this.db, "SELECT MIN(endpoint) AS endpoint FROM webhook_deliveries WHERE status = 'pending'");
    const after = prepared(this.db, "SELECT MIN(endpoint) AS endpoint FROM webhook_deliveries WHERE status = 'pending' AND endpoint > ?");
    const endpoints: string[] = [];
    let next = (first.get() as { endpoint: string | null }).endpoint;
    while (next !== null && endpoints.length < MAX_ENDPOINTS_PER_CLAIM) {
      endpoints.push(next);
      next = (after.get(next) as { endpoint: string | null }).endpoint;
    }
    return endpoints;
  }

  async untilDurable(): Promise<void> {
    await untilDurable(this.db);
  }

  async complete(completions: DeliveryCompletion[]): Promise<void> {
    this.completeNow(completions);
  }

  private completeNow(completions: DeliveryCompletion[]): void {
    if (completions.length === 0) return;
    const log = prepared(
      this.db,
      `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE delivery_id = ?)`,
    );
    const settle = prepared(
      this.db,
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?, updated_at = ?,
         delivered_at = CASE WHEN ? = 'succeeded' THEN ? ELSE delivered_at END, owner = NULL, lease_until = NULL
       WHERE delivery_id = ? AND owner = ? AND status = 'delivering'`,
    );
    immediateTransaction(this.db, () => {
      for (const done of completions) {
        const { attempt } = done;
        log.run(done.delivery_id, attempt.attempt, attempt.started_at, attempt.duration_ms, attempt.status_code, attempt.error, attempt.response_excerpt, done.delivery_id);
        settle.run(done.status, attempt.attempt, done.next_attempt_at, attempt.status_code, attempt.error, done.now, done.status, done.now, done.delivery_id, done.owner);
      }
    });
  }

  async releaseLeases(owner: string, nowMs: number, deliveryIds?: readonly string[]): Promise<number> {
    return prepared(
      this.db,
      `UPDATE webhook_deliveries SET status = 'pending', owner = NULL, lease_until = NULL, next_attempt_at = ?, updated_at = ?
       WHERE owner = ? AND status = 'delivering' AND (? IS NULL OR delivery_id IN (SELECT value FROM json_each(?)))`,
    ).run(nowMs, nowMs, owner, deliveryIds ? 1 : null, JSON.stringify(deliveryIds ?? [])).changes;
  }

  async reclaimExpired(nowMs: number): Promise<number> {
    return prepared(
      this.db,
      `UPDATE webhook_deliveries SET status = 'pending', owner = NULL, lease_until = NULL, next_attempt_at = MIN(COALESCE(next_attempt_at, ?), ?), updated_at = ?
       WHERE status = 'delivering' AND lease_until < ?`,
    ).run(nowMs, nowMs, nowMs, nowMs).changes;
  }

  async nextDueAt(afterMs: number): Promise<number | null> {
    const row = prepared(this.db, "SELECT MIN(next_attempt_at) AS due FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at > ?").get(
      afterMs,
    ) as { due: number | null };
    return row.due;
  }

  async redeliver(deliveryId: string, nowMs: number): Promise<RedeliverResult> {
    const apply = () => immediateTransaction(this.db, (): RedeliverResult => {
      const row = prepared(this.db, 'SELECT status, lease_until FROM webhook_deliveries WHERE delivery_id = ?').get(deliveryId) as
        | { status: string; lease_until: number | null }
        | undefined;
      if (!row) return 'not-found';
      if (row.status === 'delivering' && (row.lease_until ?? 0) >= nowMs) return 'in-flight';
      prepared(
        this.db,
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, owner = NULL, lease_until = NULL, updated_at = ? WHERE delivery_id = ?",
      ).run(nowMs, nowMs, deliveryId);
      return 'queued';
    });
    return commitDurably(this.db, apply);
  }

  async get(deliveryId: string): Promise<WebhookDeliveryDetail | null> {
    const row = prepared(this.db, 'SELECT * FROM webhook_deliveries WHERE delivery_id = ?').get(deliveryId) as DeliveryRow | undefined;
    if (!row) return null;
    const attempts = prepared(
      this.db,
      `SELECT attempt, started_at, duration_ms, status_code, error, response_excerpt FROM webhook_attempts
       WHERE delivery_id = ? ORDER BY attempt, attempt_id`,
    ).all(deliveryId) as AttemptRow[];
    return { ...toWireDelivery(row), attempts_log: attempts.map(toWireAttempt) };
  }

  async search(filter: DeliveryFilter, limit: number, offset: number): Promise<{ items: WebhookDelivery[]; total: number }> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    for (const key of ['run_id', 'thread_id', 'cron_id', 'status', 'endpoint'] as const) {
      if (filter[key] === undefined) continue;
      clauses.push(`${key} = ?`);
      params.push(filter[key]);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = prepared(this.db, `SELECT * FROM webhook_deliveries ${where} ORDER BY created_at DESC, delivery_id DESC LIMIT ? OFFSET ?`).all(
      ...params,
      limit,
      offset,
    ) as DeliveryRow[];
    const { total } = prepared(this.db, `SELECT COUNT(*) AS total FROM webhook_deliveries ${where}`).get(...params) as { total: number };
    return { items: rows.map(toWireDelivery), total };
  }

  /**
   * Reads only the newest `limit` attempt ids (a primary key range, whatever the table's size), so a console polling
   * this stays cheap without an index on started_at; then keeps those inside the window.
   */
  async recentAttempts(sinceMs: number, limit: number): Promise<EndpointAttempt[]> {
    return prepared(
      this.db,
      `SELECT d.endpoint, a.started_at, a.duration_ms, a.status_code FROM webhook_attempts a
       JOIN webhook_deliveries d ON d.delivery_id = a.delivery_id
       WHERE a.attempt_id > (SELECT MAX(attempt_id) FROM webhook_attempts) - ? AND a.started_at >= ?
       ORDER BY a.started_at DESC, a.attempt_id DESC`,
    ).all(limit, sinceMs) as EndpointAttempt[];
  }

  async purge(beforeMs: number, batch: number): Promise<number> {
    return immediateTransaction(this.db, () => {
      const rows = prepared(this.db, `SELECT delivery_id FROM webhook_deliveries WHERE status IN ${FINISHED} AND updated_at < ? LIMIT ?`).all(
        beforeMs,
        batch,
      ) as { delivery_id: string }[];
      const json = JSON.stringify(rows.map((row) => row.delivery_id));
      prepared(this.db, 'DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT value FROM json_each(?))').run(json);
      return prepared(this.db, 'DELETE FROM webhook_deliveries WHERE delivery_id IN (SELECT value FROM json_each(?))').run(json).changes;
    });
  }
}
