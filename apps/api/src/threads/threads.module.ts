import { forwardRef, Module } from '@nestjs/common';
import { GraphsModule } from '../graphs/graphs.module';
import { adapterFor } from '../persistence/database';
import { RunsModule } from '../runs/runs.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PostgresThreadsRepository } from './postgres-threads.repository';
import { SqliteThreadsRepository } from './sqlite-threads.repository';
import { PostgresThreadTtlRepository } from './postgres-thread-ttl.repository';
import { SqliteThreadTtlRepository } from './sqlite-thread-ttl.repository';
import { ThreadLifecycleService } from './thread-lifecycle.service';
import { ThreadStateService } from './thread-state.service';
import { ThreadTtlRepository } from './thread-ttl.repository';
import { ThreadsController } from './threads.controller';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

@Module({
  // Runs live on threads and deleting a thread cancels its runs: the two modules use each other's repository.
  imports: [GraphsModule, WebhooksModule, forwardRef(() => RunsModule)],
  controllers: [ThreadsController],
  providers: [
    adapterFor(ThreadsRepository, SqliteThreadsRepository, PostgresThreadsRepository),
    adapterFor(ThreadTtlRepository, SqliteThreadTtlRepository, PostgresThreadTtlRepository),
    ThreadsService,
    ThreadStateService,
    ThreadLifecycleService,
  ],
  exports: [ThreadsService, ThreadsRepository, ThreadLifecycleService, ThreadStateService],
})
export class ThreadsModule {}
