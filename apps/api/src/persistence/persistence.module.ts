import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { BaseCheckpointSaver } from '@langchain/langgraph';
import { AssistantsRepository } from '../assistants/assistants.repository';
import { PostgresAssistantsRepository } from '../assistants/postgres-assistants.repository';
import { SqliteAssistantsRepository } from '../assistants/sqlite-assistants.repository';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CheckpointMaintenance } from '../graphs/checkpoint-maintenance';
import { PostgresCheckpointMaintenance } from '../graphs/postgres-checkpoint-maintenance';
import { SqliteCheckpointMaintenance } from '../graphs/sqlite-checkpoint-maintenance';
import { RunsRepository } from '../runs/runs.repository';
import { PostgresRunsRepository } from '../runs/postgres-runs.repository';
import { SqliteRunsRepository } from '../runs/sqlite-runs.repository';
import { ThreadsRepository } from '../threads/threads.repository';
import { PostgresThreadsRepository } from '../threads/postgres-threads.repository';
import { SqliteThreadsRepository } from '../threads/sqlite-threads.repository';
import { DeliveriesRepository } from '../webhooks/deliveries.repository';
import { PostgresDeliveriesRepository } from '../webhooks/postgres-deliveries.repository';
import { SqliteDeliveriesRepository } from '../webhooks/sqlite-deliveries.repository';
import { DatabaseHealth, PostgresDatabaseHealth, SqliteDatabaseHealth } from './database-health';
import { adapterFor, closeDatabase, DATABASE, type Database, openDatabase, sqliteOf } from './database';
import { PG_POOL } from './postgres/pg-pool';
import { PgSignalBridge } from './postgres/pg-signal-bridge';
import { RunhookSqliteSaver } from './runhook-sqlite-saver';
import { SQLITE } from './sqlite.tokens';

/** Picks the storage adapters for the configured database; features see only the ports. */
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
    adapterFor(AssistantsRepository, SqliteAssistantsRepository, PostgresAssistantsRepository),
    adapterFor(ThreadsRepository, SqliteThreadsRepository, PostgresThreadsRepository),
    adapterFor(RunsRepository, SqliteRunsRepository, PostgresRunsRepository),
    adapterFor(CheckpointMaintenance, SqliteCheckpointMaintenance, PostgresCheckpointMaintenance),
    adapterFor(DeliveriesRepository, SqliteDeliveriesRepository, PostgresDeliveriesRepository),
    PgSignalBridge,
  ],
  exports: [SQLITE, PG_POOL, DatabaseHealth, BaseCheckpointSaver, AssistantsRepository, ThreadsRepository, RunsRepository, CheckpointMaintenance, DeliveriesRepository],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await closeDatabase(this.database);
  }
}
