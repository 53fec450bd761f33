import { currentSchema, migratePostgres } from './pg-migrate';
import { createPgPool, type PgPool, type PgPoolOptions } from './pg-pool';
import { RunhookPostgresSaver } from './runhook-postgres-saver';

export interface PostgresStore {
  pool: PgPool;
  /** The LangGraph saver (official tables and reads, Runhook's writes), on the same pool and schema as our tables. */
  saver: RunhookPostgresSaver;
}

/**
 * Connects, migrates our tables and sets up the saver's, all under one advisory lock. The saver's
 * tables live in the connection's current schema, so a `search_path` moves everything together.
 */
export async function openPostgres(connectionString: string, options: PgPoolOptions = {}): Promise<PostgresStore> {
  const pool = createPgPool(connectionString, options);
  try {
    const saver = new RunhookPostgresSaver(pool, { schema: await currentSchema(pool) });
    await migratePostgres(pool, () => saver.setup());
    return { pool, saver };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
