import { Module } from '@nestjs/common';
import { GraphsModule } from '../graphs/graphs.module';
import { adapterFor } from '../persistence/database';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PostgresThreadTtlRepository } from './postgres-thread-ttl.repository';
import { SqliteThreadTtlRepository } from './sqlite-thread-ttl.repository';
import { ThreadLifecycleService } from './thread-lifecycle.service';
import { ThreadStateService } from './thread-state.service';
import { ThreadTtlRepository } from './thread-ttl.repository';
import { ThreadsController } from './threads.controller';
import { ThreadsService } from './threads.service';

@Module({
  imports: [GraphsModule, WebhooksModule],
  controllers: [ThreadsController],
  providers: [ThreadsService, ThreadStateService, ThreadLifecycleService, adapterFor(ThreadTtlRepository, SqliteThreadTtlRepository, PostgresThreadTtlRepository)],
  exports: [ThreadsService, ThreadLifecycleService],
})
export class ThreadsModule {}
