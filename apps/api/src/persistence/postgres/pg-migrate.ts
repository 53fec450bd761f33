import { PG_MIGRATIONS } from './pg-migrations';
import { type PgPool, withTransaction } from './pg-pool';

/** First key of the two-int advisory locks Runhook takes; the second is a hash of what is locked. */
export const ADVISORY_NAMESPACE = 0x52_48; // "RH"

/**
 * Applies pending migrations in one transaction holding an advisory lock keyed by the schema, so
 * replicas starting together migrate once; `alsoUnderLock` (the checkpoint saver's own set-up,
 * which has no lock of its own) runs while the lock is held.
 */
export async function migratePostgres(pool: PgPool, alsoUnderLock?: () => Promise<void>): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext('migrate:' || current_schema()))", [ADVISORY_NAMESPACE]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    for (const migration of PG_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [migration.version]);
    }
    if (alsoUnderLock) await alsoUnderLock();
  });
}

/** The schema our unqualified table names resolve to (the first one on `search_path` that exists). */
export async function currentSchema(pool: PgPool): Promise<string> {
  const { rows } = await pool.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL: no schema on search_path exists; create it or fix the search_path');
  return schema;
}
