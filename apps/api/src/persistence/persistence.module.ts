import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { BaseCheckpointSaver } from '@langchain/langgraph';
import { AssistantsRepository } from '../assistants/assistants.repository';
import { SqliteAssistantsRepository } from '../assistants/sqlite-assistants.repository';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config-error';
import { CheckpointMaintenance } from '../graphs/checkpoint-maintenance';
import { SqliteCheckpointMaintenance } from '../graphs/sqlite-checkpoint-maintenance';
import { RunsRepository } from '../runs/runs.repository';
import { SqliteRunsRepository } from '../runs/sqlite-runs.repository';
import { ThreadsRepository } from '../threads/threads.repository';
import { SqliteThreadsRepository } from '../threads/sqlite-threads.repository';
import { DeliveriesRepository } from '../webhooks/deliveries.repository';
import { SqliteDeliveriesRepository } from '../webhooks/sqlite-deliveries.repository';
import { RunhookSqliteSaver } from './runhook-sqlite-saver';
import { openSqlite } from './sqlite-database';
import { SQLITE, type SqliteConnection } from './sqlite.tokens';

/** Picks the storage adapters for the configured database; features see only the ports. */
@Global()
@Module({
  providers: [
    {
      provide: SQLITE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): SqliteConnection => {
        if (config.database.kind !== 'sqlite') {
          throw new ConfigError('DATABASE_URL: the PostgreSQL adapter is not available in this build; use a SQLite file path');
        }
        return openSqlite(config.database.location);
      },
    },
    {
      provide: BaseCheckpointSaver,
      inject: [SQLITE],
      useFactory: (db: SqliteConnection) => {
        // The official saver on our connection: checkpoints share the file, and its tables exist before we query them.
        return new RunhookSqliteSaver(db).ensureTables();
      },
    },
    { provide: AssistantsRepository, useClass: SqliteAssistantsRepository },
    { provide: ThreadsRepository, useClass: SqliteThreadsRepository },
    { provide: RunsRepository, useClass: SqliteRunsRepository },
    { provide: CheckpointMaintenance, useClass: SqliteCheckpointMaintenance },
    { provide: DeliveriesRepository, useClass: SqliteDeliveriesRepository },
  ],
  exports: [SQLITE, BaseCheckpointSaver, AssistantsRepository, ThreadsRepository, RunsRepository, CheckpointMaintenance, DeliveriesRepository],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {}

  onApplicationShutdown(): void {
    if (this.db.open) this.db.close();
  }
}
