import Database from 'better-sqlite3';
import type { OnModuleDestroy } from '@nestjs/common';
import { DeliveriesRepository } from './deliveries.repository';
import type { NewDelivery, StoredDelivery } from './delivery.types';

interface DeliveryRow {
  webhook_id: string;
  run_id: string;
  thread_id: string | null;
  status: string;
  attempt: number | null;
  received_at: string;
  verified: 0 | 1 | null;
  latency_ms: number | null;
  duplicates: number;
  last_duplicate_at: string | null;
  query: string;
  headers: string;
  body: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS deliveries (
    webhook_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    thread_id TEXT,
    status TEXT NOT NULL,
    attempt INTEGER,
    received_at TEXT NOT NULL,
    verified INTEGER,
    latency_ms INTEGER,
    duplicates INTEGER NOT NULL DEFAULT 0,
    last_duplicate_at TEXT,
    query TEXT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS attempt_counts (
    webhook_id TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL
  );
`;

/** Keeps deliveries in their own SQLite file (WAL), separate from any Runhook database. */
export class SqliteDeliveriesRepository extends DeliveriesRepository implements OnModuleDestroy {
  private readonly db: Database.Database;
  private readonly insertOrCount: Database.Statement<Record<string, unknown>, DeliveryRow>;
  private readonly selectPage: Database.Statement<[number], DeliveryRow>;
  private readonly selectOne: Database.Statement<[string], DeliveryRow>;
  private readonly incrementAttempts: Database.Statement<[string], { attempts: number }>;

  constructor(databasePath: string) {
    super();
    this.db = new Database(databasePath);
    this.db.pragma('journal_mode = WAL');
    // A 2xx tells the sender to stop retrying, so the row must be on disk before we answer, even across a power cut.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.insertOrCount = this.db.prepare(`
      INSERT INTO deliveries
        (webhook_id, run_id, thread_id, status, attempt, received_at, verified, latency_ms, query, headers, body)
      VALUES
        (@webhookId, @runId, @threadId, @status, @attempt, @receivedAt, @verified, @latencyMs, @query, @headers, @body)
      ON CONFLICT (webhook_id) DO UPDATE SET
        duplicates = duplicates + 1,
        last_duplicate_at = excluded.received_at
      RETURNING *`);
    // rowid follows insertion order, which is arrival order.
    this.selectPage = this.db.prepare('SELECT * FROM deliveries ORDER BY rowid DESC LIMIT ?');
    this.selectOne = this.db.prepare('SELECT * FROM deliveries WHERE webhook_id = ?');
    this.incrementAttempts = this.db.prepare(`
      INSERT INTO attempt_counts (webhook_id, attempts) VALUES (?, 1)
      ON CONFLICT (webhook_id) DO UPDATE SET attempts = attempts + 1
      RETURNING attempts`);
  }

  async saveOnce(delivery: NewDelivery): Promise<{ delivery: StoredDelivery; duplicate: boolean }> {
    const row = this.insertOrCount.get({
      ...delivery,
      receivedAt: delivery.receivedAt.toISOString(),
      verified: delivery.verified === null ? null : Number(delivery.verified),
      headers: JSON.stringify(delivery.headers),
    });
    if (!row) {
      throw new Error(`storing delivery ${delivery.webhookId} returned no row`);
    }
    // A fresh insert starts at zero; the conflict branch has just made it at least one.
    return { delivery: toStoredDelivery(row), duplicate: row.duplicates > 0 };
  }

  async list(limit: number): Promise<StoredDelivery[]> {
    return this.selectPage.all(limit).map(toStoredDelivery);
  }

  async findByWebhookId(webhookId: string): Promise<StoredDelivery | undefined> {
    const row = this.selectOne.get(webhookId);
    return row && toStoredDelivery(row);
  }

  async countAttempt(webhookId: string): Promise<number> {
    const row = this.incrementAttempts.get(webhookId);
    return row?.attempts ?? 1;
  }

  onModuleDestroy(): void {
    this.db.close();
  }
}

function toStoredDelivery(row: DeliveryRow): StoredDelivery {
  return {
    webhookId: row.webhook_id,
    runId: row.run_id,
    threadId: row.thread_id,
    status: row.status,
    attempt: row.attempt,
    receivedAt: new Date(row.received_at),
    verified: row.verified === null ? null : row.verified === 1,
    latencyMs: row.latency_ms,
    duplicates: row.duplicates,
    lastDuplicateAt: row.last_duplicate_at === null ? null : new Date(row.last_duplicate_at),
    query: row.query,
    headers: JSON.parse(row.headers) as Record<string, string | string[]>,
    body: row.body,
  };
}
