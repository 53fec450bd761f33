import type { DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookDeliveryDetail } from '@runhook/contracts';

/** An outbox row as written when a run ends. Times are epoch milliseconds. */
export interface NewWebhookDelivery {
  delivery_id: string;
  /** A pure function of the run (see webhookIdFor): the same on every attempt, different for every run. */
  webhook_id: string;
  run_id: string;
  thread_id: string | null;
  cron_id: string | null;
  /** Called exactly as given. */
  url: string;
  /** scheme://host:port; concurrency is bounded per endpoint. */
  endpoint: string;
  /** The exact JSON body, with a `webhook_sent_at` placeholder the dispatcher stamps. */
  payload: string;
  created_at: number;
}

/** A delivery this dispatcher now owns until its lease ends. */
export interface ClaimedDelivery {
  delivery_id: string;
  webhook_id: string;
  url: string;
  endpoint: string;
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
  /** What the delivery is about, for the log lines of its attempts. */
  run_id: string;
  thread_id: string | null;
  cron_id: string | null;
  /**
   * How many sends this owner may have open to the endpoint at once: the per-endpoint limit less the rows other
   * owners held leased there when this claim was made.
   */
  send_limit: number;
}

export interface AttemptRecord {
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
}

/** The outcome of one attempt: its log line and what becomes of the delivery. */
export interface DeliveryCompletion {
  delivery_id: string;
  owner: string;
  attempt: AttemptRecord;
  status: Exclude<DeliveryStatus, 'delivering'>;
  next_attempt_at: number | null;
  now: number;
}

export interface ClaimRequest {
  owner: string;
  nowMs: number;
  leaseUntilMs: number;
  limit: number;
  /** Sends open at once per endpoint, counted over every process on the database. */
  perEndpoint: number;
  /**
   * Rows an owner may hold leased beyond what it may send, for the endpoints named (none for others): they wait out
   * the disk sync and queue for a send slot meanwhile, so a quick endpoint's slots never sit idle through a claim and
   * its sync.
   */
  ahead?: ReadonlyMap<string, number>;
}

export interface DeliveryFilter {
  run_id?: string;
  thread_id?: string;
  cron_id?: string;
  status?: DeliveryStatus;
  /** scheme://host:port, as stored on the delivery. */
  endpoint?: string;
}

/** One attempt as the endpoint health figures need it. */
export interface EndpointAttempt {
  endpoint: string;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
}

export type RedeliverResult = 'queued' | 'in-flight' | 'not-found';

/**
 * Storage port of the webhook outbox. Rows are inserted by the run-end transaction (see RunResult.delivery);
 * dispatchers claim due rows under a lease, then record each attempt.
 */
export abstract class DeliveriesRepository {
  /** Inserts the delivery; one with the same webhook_id already there is a DuplicateDeliveryError. */
  abstract insert(delivery: NewWebhookDelivery): Promise<void>;
  /**
   * Leases up to `limit` due deliveries, oldest due first, keeping each owner under `send_limit` plus its `ahead`
   * leased rows per endpoint, where `send_limit` leaves room for what other owners hold (see endpointBudgets).
   * Resolves once the lease is committed, which need not be on disk yet: send only after `untilDurable()`.
   */
  abstract claim(request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /**
   * Records attempts and their outcomes in one transaction; a delivery no longer owned keeps its state. Resolves
   * once committed; tell anyone of the outcome only after `untilDurable()`.
   */
  abstract complete(completions: DeliveryCompletion[]): Promise<void>;
  /**
   * `complete` then `claim`, in one transaction where the adapter can (one commit, and one disk sync, per dispatcher
   * cycle rather than two). The claim sees the recorded rows as done.
   */
  async completeAndClaim(completions: DeliveryCompletion[], request: ClaimRequest): Promise<ClaimedDelivery[]> {
    await this.complete(completions);
    return this.claim(request);
  }
  /**
   * Resolves once every commit made before the call (by any process, on this database) is on disk. Claims and
   * outcomes wait for it apart from their commit, so that one disk sync serves a run's end, the claim of its delivery
   * and the outcomes recorded meanwhile, and the dispatcher never holds its claim loop for the disk.
   */
  abstract untilDurable(): Promise<void>;
  /** Returns deliveries whose owner stopped (lease expired) to the queue; answers how many. */
  abstract reclaimExpired(nowMs: number): Promise<number>;
  /**
   * A stopping dispatcher hands back what it still holds (or only `deliveryIds` of it): those rows are due at once,
   * their attempt not counted (no outcome was recorded); answers how many.
   */
  abstract releaseLeases(owner: string, nowMs: number, deliveryIds?: readonly string[]): Promise<number>;
  /** When the earliest pending delivery due after `afterMs` becomes due, if any. */
  abstract nextDueAt(afterMs: number): Promise<number | null>;
  /** Makes the delivery due now (same webhook_id); a delivery being sent right now is left alone. */
  abstract redeliver(deliveryId: string, nowMs: number): Promise<RedeliverResult>;
  abstract get(deliveryId: string): Promise<WebhookDeliveryDetail | null>;
  abstract search(filter: DeliveryFilter, limit: number, offset: number): Promise<{ items: WebhookDelivery[]; total: number }>;
  /** Among the newest `limit` attempts, those started at or after `sinceMs`, newest first (the endpoint health window). */
  abstract recentAttempts(sinceMs: number, limit: number): Promise<EndpointAttempt[]>;
  /** Deletes up to `batch` finished deliveries (and their attempts) last updated before `beforeMs`. */
  abstract purge(beforeMs: number, batch: number): Promise<number>;
}

/**
 * A second delivery under one webhook_id means one run was announced twice (fencing should make that
 * impossible). It fails the transaction that tried, loudly, instead of being dropped.
 */
export class DuplicateDeliveryError extends Error {
  constructor(readonly delivery: Pick<NewWebhookDelivery, 'webhook_id' | 'run_id'>) {
    super(`a webhook delivery ${delivery.webhook_id} for run ${delivery.run_id} already exists: the run's end was written twice`);
    this.name = 'DuplicateDeliveryError';
  }
}

/** A webhook_deliveries row as both adapters read it. */
export interface DeliveryRow {
  delivery_id: string;
  webhook_id: string;
  run_id: string;
  thread_id: string | null;
  cron_id: string | null;
  url: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export interface AttemptRow {
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

export function toWireDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    delivery_id: row.delivery_id,
    webhook_id: row.webhook_id,
    run_id: row.run_id,
    thread_id: row.thread_id,
    cron_id: row.cron_id,
    url: row.url,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: iso(row.created_at) as string,
    updated_at: iso(row.updated_at) as string,
    delivered_at: iso(row.delivered_at),
  };
}

export function toWireAttempt(row: AttemptRow): WebhookAttempt {
  return {
    attempt: Number(row.attempt),
    started_at: iso(row.started_at) as string,
    duration_ms: Number(row.duration_ms),
    status_code: row.status_code,
    error: row.error,
    response_excerpt: row.response_excerpt,
  };
}

/** What one claim may take for an endpoint. */
export interface EndpointBudget {
  /** Rows this claim may still lease. */
  room: number;
  /** Sends the claiming owner may have open at once (see ClaimedDelivery.send_limit). */
  sendLimit: number;
}

/** Leased rows per endpoint at the moment of a claim: the claiming owner's and everybody's. */
export interface EndpointLease {
  endpoint: string;
  mine: number;
  total: number;
}

/**
 * Per endpoint with leased rows: a claiming owner may send `perEndpoint` less what other owners hold leased, and
 * lease that plus the endpoint's `ahead` less what it holds already. Sends of every owner together stay within
 * `perEndpoint`: an owner sends only rows it leased, and the owner that claimed last left room for all of those.
 * Rows waiting ahead count as leased for the others, so they only make the others' share smaller.
 */
export function endpointBudgets(request: ClaimRequest, leased: Iterable<EndpointLease>): Map<string, EndpointBudget> {
  const budgets = new Map<string, EndpointBudget>();
  for (const { endpoint, mine, total } of leased) {
    const sendLimit = Math.max(request.perEndpoint - (total - mine), 0);
    budgets.set(endpoint, { sendLimit, room: sendLimit > 0 ? Math.max(sendLimit + aheadOf(request, endpoint) - mine, 0) : 0 });
  }
  return budgets;
}

/** The budget of an endpoint nobody holds rows of. */
export function budgetFor(budgets: ReadonlyMap<string, EndpointBudget>, endpoint: string, request: ClaimRequest): EndpointBudget {
  return budgets.get(endpoint) ?? { sendLimit: request.perEndpoint, room: request.perEndpoint + aheadOf(request, endpoint) };
}

/** The most rows per endpoint a claim may take (the per-endpoint cap of a ranked candidate list). */
export function mostPerEndpoint(request: ClaimRequest): number {
  return request.perEndpoint + Math.max(0, ...(request.ahead?.values() ?? []));
}

function aheadOf(request: ClaimRequest, endpoint: string): number {
  return request.ahead?.get(endpoint) ?? 0;
}

/** Picks, from candidates ordered by due time, those within their endpoint's room and the claim's limit. */
export function withinEndpointLimits<T extends { endpoint: string }>(
  candidates: T[],
  request: ClaimRequest,
  budgets: ReadonlyMap<string, EndpointBudget>,
): T[] {
  const taken = new Map<string, number>();
  const picked: T[] = [];
  for (const candidate of candidates) {
    if (picked.length >= request.limit) break;
    const count = taken.get(candidate.endpoint) ?? 0;
    if (count >= budgetFor(budgets, candidate.endpoint, request).room) continue;
    taken.set(candidate.endpoint, count + 1);
    picked.push(candidate);
  }
  return picked;
}
