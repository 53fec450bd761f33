import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { BaseCheckpointSaver } from '@langchain/langgraph';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseHealth, PostgresDatabaseHealth, SqliteDatabaseHealth } from './database-health';
import { closeDatabase, DATABASE, type Database, openDatabase, sqliteOf } from './database';
import { PG_POOL } from './postgres/pg-pool';
import { PgSignalBridge } from './postgres/pg-signal-bridge';
import { RunhookSqliteSaver } from './runhook-sqlite-saver';
import { SQLITE } from './sqlite.tokens';

/**
 * Opens the configured database, migrates it and offers its connections; each feature's own module binds its
 * repository port to the matching adapter (`adapterFor`), so this module imports no feature.
 */
@Global()
@Module({
  providers: [
    // Opens the configured store and migrates it (PostgreSQL: under an advisory lock, saver tables included).
    { provide: DATABASE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openDatabase(config) },
    { provide: SQLITE, inject: [DATABASE], useFactory: sqliteOf },
    { provide: PG_POOL, inject: [DATABASE], useFactory: (database: Database) => (database.kind === 'postgres' ? database.store.pool : null) },
    {
      provide: BaseCheckpointSaver,
      inject: [DATABASE],
      useFactory: (database: Database) =>
        // The official savers share our connection or pool, so checkpoints live in the same database as runs.
        database.kind === 'postgres' ? database.store.saver : new RunhookSqliteSaver(database.db).ensureTables(),
    },
    {
      provide: DatabaseHealth,
      inject: [DATABASE],
      useFactory: (database: Database) =>
        database.kind === 'postgres' ? new PostgresDatabaseHealth(database.store.pool) : new SqliteDatabaseHealth(database.db),
    },
    PgSignalBridge,
  ],
  exports: [SQLITE, PG_POOL, DatabaseHealth, BaseCheckpointSaver],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await closeDatabase(this.database);
  }
}
