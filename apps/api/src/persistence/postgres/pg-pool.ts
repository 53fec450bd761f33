import { Pool, type PoolClient, type PoolConfig } from 'pg';

export type PgPool = Pool;
export type PgClient = PoolClient;
/** Anything that runs a query: the pool itself, or a client inside a transaction. */
export type PgQueryable = Pick<Pool, 'query'>;

/** DI token for the shared `pg.Pool`. */
export const PG_POOL = Symbol('PG_POOL');

export interface PgPoolOptions {
  /** Sets `search_path` for every connection (tests use one schema each). */
  schema?: string;
  max?: number;
}

export function createPgPool(connectionString: string, options: PgPoolOptions = {}): PgPool {
  const config: PoolConfig = { connectionString, max: options.max ?? 10, idleTimeoutMillis: 30_000 };
  if (options.schema) config.options = `-c search_path=${quoteIdent(options.schema)}`;
  const pool = new Pool(config);
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor a checked-out one: a server restart (57P01) between two queries of a transaction, or of the checkpoint
  // saver's own clients, is emitted as 'error' on the client, which kills the process when nobody listens.
  // The query in flight or the next one fails with the error instead, and the pool drops the broken client on
  // release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs `work` in one transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** timestamptz columns come back as Date; the wire wants ISO strings with `Z`. */
export function toIso(value: Date | string): string;
export function toIso(value: Date | string | null): string | null;
export function toIso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** JSON values are sent as text and cast to jsonb, so arrays are not taken for PostgreSQL arrays. */
export function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Sorts text byte-wise, as SQLite does, whatever the database's collation; times sort as times. */
export function orderColumn(column: string): string {
  return /_(at|date|time)$/.test(column) ? column : `${column} COLLATE "C"`;
}
