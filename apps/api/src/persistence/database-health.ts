import type { PgPool } from './postgres/pg-pool';
import type { SqliteConnection } from './sqlite-database';

/** Answers whether the configured database takes queries (`/ok?check_db=1`). */
export abstract class DatabaseHealth {
  /** Throws when the database cannot be reached. */
  abstract check(): Promise<void>;
}

export class SqliteDatabaseHealth extends DatabaseHealth {
  constructor(private readonly db: SqliteConnection) {
    super();
  }

  async check(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }
}

export class PostgresDatabaseHealth extends DatabaseHealth {
  constructor(private readonly pool: PgPool) {
    super();
  }

  async check(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
