import { forwardRef, Module } from '@nestjs/common';
import { GraphsModule } from '../graphs/graphs.module';
import { adapterFor } from '../persistence/database';
import { RunsModule } from '../runs/runs.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PostgresThreadsRepository } from './postgres-threads.repository';
import { SqliteThreadsRepository } from './sqlite-threads.repository';
import { ThreadStateService } from './thread-state.service';
import { ThreadsController } from './threads.controller';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

@Module({
  // Runs live on threads and deleting a thread cancels its runs: the two modules use each other's repository.
  imports: [GraphsModule, WebhooksModule, forwardRef(() => RunsModule)],
  controllers: [ThreadsController],
  providers: [adapterFor(ThreadsRepository, SqliteThreadsRepository, PostgresThreadsRepository), ThreadsService, ThreadStateService],
  exports: [ThreadsService, ThreadsRepository],
})
export class ThreadsModule {}
