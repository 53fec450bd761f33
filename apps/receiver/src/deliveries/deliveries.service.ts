import { Injectable, MessageEvent } from '@nestjs/common';
import { validateWebhookPayload } from '@runhook/contracts';
import { tokensMatch, verifySignature, type WebhookHeaderMap } from '@runhook/webhooks';
import { interval, map, merge, Observable, Subject } from 'rxjs';
import { Clock } from '../common/clock';
import { ReceiverConfig } from '../config/receiver-config';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryErrorCode, DeliveryException } from './deliveries.exception';
import type {
  DeliveryAcknowledgement,
  DeliveryDetailView,
  DeliverySummaryView,
  NewDelivery,
  StoredDelivery,
} from './delivery.types';

export interface IncomingDelivery {
  /** The request bytes exactly as received; undefined when the body was not sent as JSON. */
  rawBody: Buffer | undefined;
  headers: WebhookHeaderMap;
  /** Path and query as requested, e.g. `/webhooks?token=...`. */
  url: string;
}

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 1000;
// Proxies drop idle connections; a small event now and then keeps the live page's stream open.
const HEARTBEAT_INTERVAL_MS = 20_000;
const REDACTED = 'REDACTED';
// Static headers configured on the sender (webhooks.headers) may carry credentials; the signature is not one.
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

@Injectable()
export class DeliveriesService {
  private readonly changes = new Subject<DeliverySummaryView>();

  constructor(
    private readonly repository: DeliveriesRepository,
    private readonly config: ReceiverConfig,
    private readonly clock: Clock,
  ) {}

  /** Checks token and signature, then stores the delivery once; the order matters (see README of @runhook/webhooks). */
  async receive(request: IncomingDelivery): Promise<DeliveryAcknowledgement> {
    const receivedAt = this.clock.now();
    const url = new URL(request.url, 'http://receiver.invalid');
    this.checkToken(url.searchParams.get('token') ?? undefined);
    if (request.rawBody === undefined) {
      throw new DeliveryException(DeliveryErrorCode.InvalidBody, 'expected a JSON body (Content-Type: application/json)');
    }
    const verified = this.checkSignature(request.headers, request.rawBody, receivedAt);
    const webhookId = singleHeader(request.headers, 'webhook-id');
    if (!webhookId) {
      throw new DeliveryException(DeliveryErrorCode.InvalidBody, 'missing webhook-id header');
    }
    await this.simulateFailureIfConfigured(webhookId);

    const body = request.rawBody.toString('utf8');
    const payload = parsePayload(body);
    const { delivery, duplicate } = await this.repository.saveOnce({
      webhookId,
      runId: payload.run_id,
      threadId: payload.thread_id ?? null,
      status: payload.status,
      attempt: parseAttempt(singleHeader(request.headers, 'webhook-attempt')),
      receivedAt,
      verified,
      latencyMs: latencySince(payload.run_ended_at, receivedAt),
      query: redactToken(url.searchParams),
      headers: redactCredentials(request.headers),
      body,
    } satisfies NewDelivery);
    this.changes.next(toSummaryView(delivery));
    return duplicate ? { ok: true, duplicate: true } : { ok: true };
  }

  async list(limitText: string | undefined): Promise<DeliverySummaryView[]> {
    const limit = limitText === undefined ? DEFAULT_LIST_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new DeliveryException(DeliveryErrorCode.InvalidQuery, `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
    }
    return (await this.repository.list(limit)).map(toSummaryView);
  }

  async get(webhookId: string): Promise<DeliveryDetailView> {
    const delivery = await this.repository.findByWebhookId(webhookId);
    if (!delivery) {
      throw new DeliveryException(DeliveryErrorCode.NotFound, `no delivery with webhook-id ${webhookId}`);
    }
    return { ...toSummaryView(delivery), query: delivery.query, headers: delivery.headers, body: delivery.body, payload: JSON.parse(delivery.body) };
  }

  /** Server-sent events: `delivery` for each new or updated delivery, `ping` as a keep-alive. */
  events(): Observable<MessageEvent> {
    return merge(
      this.changes.pipe(map((delivery): MessageEvent => ({ type: 'delivery', data: delivery }))),
      interval(HEARTBEAT_INTERVAL_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: '' }))),
    );
  }

  private checkToken(token: string | undefined): void {
    if (this.config.token !== undefined && !tokensMatch(this.config.token, token)) {
      throw new DeliveryException(DeliveryErrorCode.InvalidToken, 'invalid token');
    }
  }

  /** true when verified, null when no secret is configured; throws when the check fails. */
  private checkSignature(headers: WebhookHeaderMap, rawBody: Buffer, receivedAt: Date): boolean | null {
    if (this.config.signingSecrets.length === 0) {
      return null;
    }
    const result = verifySignature({ headers, body: rawBody, secrets: this.config.signingSecrets, now: () => receivedAt });
    if (!result.ok) {
      throw new DeliveryException(DeliveryErrorCode.InvalidSignature, `invalid signature: ${result.reason}`);
    }
    return true;
  }

  private async simulateFailureIfConfigured(webhookId: string): Promise<void> {
    if (this.config.failFirst === 0) {
      return;
    }
    const attemptsSeen = await this.repository.countAttempt(webhookId);
    if (attemptsSeen <= this.config.failFirst) {
      throw new DeliveryException(
        DeliveryErrorCode.SimulatedFailure,
        `simulated failure ${attemptsSeen} of ${this.config.failFirst} (RECEIVER_FAIL_FIRST)`,
      );
    }
  }
}

function parsePayload(body: string): { run_id: string; thread_id?: string | null; status: string; run_ended_at: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new DeliveryException(DeliveryErrorCode.InvalidBody, 'body is not valid JSON');
  }
  const validation = validateWebhookPayload(parsed);
  if (!validation.ok) {
    throw new DeliveryException(DeliveryErrorCode.InvalidBody, `invalid payload: ${validation.errors.join('; ')}`);
  }
  return validation.payload;
}

function singleHeader(headers: WebhookHeaderMap, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseAttempt(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null;
}

function latencySince(runEndedAt: string | null, receivedAt: Date): number | null {
  const endedAtMs = runEndedAt === null ? Number.NaN : Date.parse(runEndedAt);
  return Number.isNaN(endedAtMs) ? null : receivedAt.getTime() - endedAtMs;
}

function redactToken(searchParams: URLSearchParams): string {
  const redacted = new URLSearchParams(searchParams);
  if (redacted.has('token')) {
    redacted.set('token', REDACTED);
  }
  const query = redacted.toString();
  return query === '' ? '' : `?${query}`;
}

function redactCredentials(headers: WebhookHeaderMap): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) {
      kept[name] = CREDENTIAL_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
    }
  }
  return kept;
}

function toSummaryView(delivery: StoredDelivery): DeliverySummaryView {
  return {
    webhook_id: delivery.webhookId,
    run_id: delivery.runId,
    thread_id: delivery.threadId,
    status: delivery.status,
    attempt: delivery.attempt,
    received_at: delivery.receivedAt.toISOString(),
    verified: delivery.verified,
    latency_ms: delivery.latencyMs,
    duplicates: delivery.duplicates,
    last_duplicate_at: delivery.lastDuplicateAt?.toISOString() ?? null,
  };
}
