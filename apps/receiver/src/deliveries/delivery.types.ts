/** One delivery as the receiver keeps it: the first accepted attempt of a webhook-id, plus a duplicate count. */
export interface StoredDelivery {
  webhookId: string;
  runId: string;
  threadId: string | null;
  /** The run's final status from the payload. */
  status: string;
  /** The `webhook-attempt` header of the stored attempt, when the sender sent one. */
  attempt: number | null;
  receivedAt: Date;
  /** null when no signing secret is configured, so nothing was checked. */
  verified: boolean | null;
  /** receivedAt − payload.run_ended_at; null when the run has no end time. */
  latencyMs: number | null;
  duplicates: number;
  lastDuplicateAt: Date | null;
  /** The request's query string with the token value redacted. */
  query: string;
  headers: Record<string, string | string[]>;
  /** The raw body exactly as received (and signed). */
  body: string;
}

export type NewDelivery = Omit<StoredDelivery, 'duplicates' | 'lastDuplicateAt'>;

/** Wire shape of a delivery in lists and on the event stream (snake_case like the rest of the Runhook API). */
export interface DeliverySummaryView {
  webhook_id: string;
  run_id: string;
  thread_id: string | null;
  status: string;
  attempt: number | null;
  received_at: string;
  verified: boolean | null;
  latency_ms: number | null;
  duplicates: number;
  last_duplicate_at: string | null;
}

export interface DeliveryDetailView extends DeliverySummaryView {
  query: string;
  headers: Record<string, string | string[]>;
  body: string;
  payload: unknown;
}

export type DeliveryAcknowledgement = { ok: true } | { ok: true; duplicate: true };
