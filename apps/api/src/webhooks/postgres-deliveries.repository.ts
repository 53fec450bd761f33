import { Inject, Injectable } from '@nestjs/common';
import type { WebhookDelivery, WebhookDeliveryDetail } from '@runhook/contracts';
import { ADVISORY_NAMESPACE } from '../persistence/postgres/pg-migrate';
import { PG_POOL, type PgPool, type PgQueryable, withTransaction } from '../persistence/postgres/pg-pool';
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
  mostPerEndpoint,
  withinEndpointLimits,
} from './deliveries.repository';

const FINISHED = "('succeeded', 'failed', 'gone', 'refused')";

/** BIGINT columns come back as strings; the port speaks epoch milliseconds as numbers. */
const msOrNull = (value: string | number | null): number | null => (value === null ? null : Number(value));

function fromPgRow(row: DeliveryRow): DeliveryRow {
  return {
    ...row,
    next_attempt_at: msOrNull(row.next_attempt_at),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    delivered_at: msOrNull(row.delivered_at),
  };
}

/**
 * Writes an outbox row on the caller's client, inside whatever transaction is open (the run-end one).
 * A second delivery with the same webhook_id is a DuplicateDeliveryError, which fails that transaction.
 */
export async function insertDeliveryRowPg(db: PgQueryable, delivery: NewWebhookDelivery): Promise<void> {
  try {
    await db.query(
      `INSERT INTO webhook_deliveries (delivery_id, webhook_id, run_id, thread_id, cron_id, url, endpoint, payload, status, attempts,
         next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9, $9)`,
      [
        delivery.delivery_id,
        delivery.webhook_id,
        delivery.run_id,
        delivery.thread_id,
        delivery.cron_id,
        delivery.url,
        delivery.endpoint,
        delivery.payload,
        delivery.created_at,
      ],
    );
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint?.includes('webhook_id')) throw new DuplicateDeliveryError(delivery);
    throw error;
  }
}

/** The webhook outbox on PostgreSQL: dispatcher replicas claim with `FOR UPDATE SKIP LOCKED`. */
@Injectable()
export class PostgresDeliveriesRepository extends DeliveriesRepository {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {
    super();
  }

  async insert(delivery: NewWebhookDelivery): Promise<void> {
    await insertDeliveryRowPg(this.pool, delivery);
  }

  /**
   * Per-endpoint fair, like the SQLite claim: each endpoint's oldest due rows are ranked on their own, so a long
   * backlog for one endpoint never crowds the others out of a claim. The in-flight count per endpoint is read from
   * the table (every replica's leased rows), under one advisory lock per schema, so WEBHOOK_MAX_PER_ENDPOINT holds
   * across processes; claims are short, so serialising them costs little.
   */
  async claim(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    return withTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext('webhook-claim:' || current_schema()))", [ADVISORY_NAMESPACE]);
      const leased = await client.query<{ endpoint: string; mine: string; total: string }>(
        `SELECT endpoint, COUNT(*) FILTER (WHERE owner = $2) AS mine, COUNT(*) AS total FROM webhook_deliveries
         WHERE status = 'delivering' AND lease_until >= $1 GROUP BY endpoint`,
        [request.nowMs, request.owner],
      );
      const budgets = endpointBudgets(request, leased.rows.map((row) => ({ endpoint: row.endpoint, mine: Number(row.mine), total: Number(row.total) })));
      const saturated = [...budgets].filter(([, budget]) => budget.room <= 0).map(([endpoint]) => endpoint);
      const { rows } = await client.query<{ delivery_id: string; endpoint: string }>(
        `SELECT delivery_id, endpoint FROM (
           SELECT delivery_id, endpoint, next_attempt_at,
                  row_number() OVER (PARTITION BY endpoint ORDER BY next_attempt_at, delivery_id) AS place
           FROM webhook_deliveries
           WHERE status = 'pending' AND next_attempt_at <= $1 AND NOT (endpoint = ANY($2::text[]))
         ) due
         WHERE place <= $3 ORDER BY next_attempt_at, delivery_id LIMIT $4`,
        [request.nowMs, saturated, mostPerEndpoint(request), Math.max(request.limit * 2, 32)],
      );
      const picked = withinEndpointLimits(rows, request, budgets).map((row) => row.delivery_id);
      if (picked.length === 0) return [];
      // `status = 'pending'` again: a redelivery or a reclaim may have touched a row since it was ranked.
      const claimed = await client.query<Omit<ClaimedDelivery, 'send_limit'> & { next_attempt_at: string }>(
        `UPDATE webhook_deliveries SET status = 'delivering', owner = $1, lease_until = $2, updated_at = $3
         WHERE delivery_id = ANY($4::text[]) AND status = 'pending'
         RETURNING delivery_id, webhook_id, url, endpoint, payload, attempts, run_id, thread_id, cron_id, next_attempt_at`,
        [request.owner, request.leaseUntilMs, request.nowMs, picked],
      );
      return claimed.rows
        .sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at) || (a.delivery_id < b.delivery_id ? -1 : 1))
        .map(({ next_attempt_at: _due, ...delivery }) => ({
          ...delivery,
          attempts: Number(delivery.attempts),
          send_limit: budgetFor(budgets, delivery.endpoint, request).sendLimit,
        }));
    });
  }

  /** A PostgreSQL COMMIT has returned only once it is on disk (synchronous_commit = on): nothing more to wait for. */
  untilDurable(): Promise<void> {
    return Promise.resolve();
  }

  async complete(completions: DeliveryCompletion[]): Promise<void> {
    if (completions.length === 0) return;
    await withTransaction(this.pool, async (client) => {
      for (const done of completions) {
        const { attempt } = done;
        await client.query(
          `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
           SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE delivery_id = $1)`,
          [done.delivery_id, attempt.attempt, attempt.started_at, attempt.duration_ms, attempt.status_code, attempt.error, attempt.response_excerpt],
        );
        await client.query(
          `UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, last_status_code = $4, last_error = $5, updated_at = $6,
             delivered_at = CASE WHEN $1 = 'succeeded' THEN $6 ELSE delivered_at END, owner = NULL, lease_until = NULL
           WHERE delivery_id = $7 AND owner = $8 AND status = 'delivering'`,
          [done.status, attempt.attempt, done.next_attempt_at, attempt.status_code, attempt.error, done.now, done.delivery_id, done.owner],
        );
      }
    });
  }

  async releaseLeases(owner: string, nowMs: number, deliveryIds?: readonly string[]): Promise<number> {
    const result = await this.pool.query(
      `UPDATE webhook_deliveries SET status = 'pending', owner = NULL, lease_until = NULL, next_attempt_at = $1, updated_at = $1
       WHERE owner = $2 AND status = 'delivering' AND ($3::text[] IS NULL OR delivery_id = ANY($3::text[]))`,
      [nowMs, owner, deliveryIds ?? null],
    );
    return result.rowCount ?? 0;
  }

  async reclaimExpired(nowMs: number): Promise<number> {
    const result = await this.pool.query(
      `UPDATE webhook_deliveries SET status = 'pending', owner = NULL, lease_until = NULL, next_attempt_at = LEAST(COALESCE(next_attempt_at, $1), $1),
         updated_at = $1
       WHERE status = 'delivering' AND lease_until < $1`,
      [nowMs],
    );
    return result.rowCount ?? 0;
  }

  async nextDueAt(afterMs: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ due: string | null }>(
      "SELECT MIN(next_attempt_at) AS due FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at > $1",
      [afterMs],
    );
    return msOrNull(rows[0]?.due ?? null);
  }

  async redeliver(deliveryId: string, nowMs: number): Promise<RedeliverResult> {
    return withTransaction(this.pool, async (client): Promise<RedeliverResult> => {
      const { rows } = await client.query<{ status: string; lease_until: string | null }>(
        'SELECT status, lease_until FROM webhook_deliveries WHERE delivery_id = $1 FOR UPDATE',
        [deliveryId],
      );
      const row = rows[0];
      if (!row) return 'not-found';
      if (row.status === 'delivering' && Number(row.lease_until ?? 0) >= nowMs) return 'in-flight';
      await client.query(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, owner = NULL, lease_until = NULL, updated_at = $1 WHERE delivery_id = $2",
        [nowMs, deliveryId],
      );
      return 'queued';
    });
  }

  async get(deliveryId: string): Promise<WebhookDeliveryDetail | null> {
    const { rows } = await this.pool.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE delivery_id = $1', [deliveryId]);
    if (!rows[0]) return null;
    const attempts = await this.pool.query<AttemptRow>(
      `SELECT attempt, started_at, duration_ms, status_code, error, response_excerpt FROM webhook_attempts
       WHERE delivery_id = $1 ORDER BY attempt, attempt_id`,
      [deliveryId],
    );
    return { ...toWireDelivery(fromPgRow(rows[0])), attempts_log: attempts.rows.map(toWireAttempt) };
  }

  async search(filter: DeliveryFilter, limit: number, offset: number): Promise<{ items: WebhookDelivery[]; total: number }> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    for (const key of ['run_id', 'thread_id', 'cron_id', 'status', 'endpoint'] as const) {
      if (filter[key] === undefined) continue;
      params.push(filter[key]);
      clauses.push(`${key} = $${params.length}`);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const n = params.length;
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT * FROM webhook_deliveries ${where} ORDER BY created_at DESC, delivery_id COLLATE "C" DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, limit, offset],
    );
    const count = await this.pool.query<{ total: string }>(`SELECT COUNT(*) AS total FROM webhook_deliveries ${where}`, params);
    return { items: rows.map((row) => toWireDelivery(fromPgRow(row))), total: Number(count.rows[0]?.total ?? 0) };
  }

  /** A primary key range over the newest `limit` attempt ids, then the window; see the SQLite adapter. */
  async recentAttempts(sinceMs: number, limit: number): Promise<EndpointAttempt[]> {
    const { rows } = await this.pool.query<{ endpoint: string; started_at: string; duration_ms: string | number; status_code: number | null }>(
      `SELECT d.endpoint, a.started_at, a.duration_ms, a.status_code FROM webhook_attempts a
       JOIN webhook_deliveries d ON d.delivery_id = a.delivery_id
       WHERE a.attempt_id > (SELECT MAX(attempt_id) FROM webhook_attempts) - $2 AND a.started_at >= $1
       ORDER BY a.started_at DESC, a.attempt_id DESC`,
      [sinceMs, limit],
    );
    return rows.map((row) => ({ ...row, started_at: Number(row.started_at), duration_ms: Number(row.duration_ms) }));
  }

  async purge(beforeMs: number, batch: number): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ delivery_id: string }>(
        `SELECT delivery_id FROM webhook_deliveries WHERE status IN ${FINISHED} AND updated_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [beforeMs, batch],
      );
      const ids = rows.map((row) => row.delivery_id);
      if (ids.length === 0) return 0;
      await client.query('DELETE FROM webhook_attempts WHERE delivery_id = ANY($1::text[])', [ids]);
      const result = await client.query('DELETE FROM webhook_deliveries WHERE delivery_id = ANY($1::text[])', [ids]);
      return result.rowCount ?? 0;
    });
  }
}
