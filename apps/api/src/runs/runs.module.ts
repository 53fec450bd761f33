import { forwardRef, Module } from '@nestjs/common';
import { AssistantsModule } from '../assistants/assistants.module';
import { GraphsModule } from '../graphs/graphs.module';
import { adapterFor } from '../persistence/database';
import { StreamingModule } from '../streaming/streaming.module';
import { ThreadsModule } from '../threads/threads.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PostgresRunsRepository } from './postgres-runs.repository';
import { RunExecutor } from './run-executor.service';
import { RunResponder } from './run-responder.service';
import { RunWorker } from './run-worker.service';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';
import { SqliteRunsRepository } from './sqlite-runs.repository';
import { StatelessRunsController } from './stateless-runs.controller';
import { ThreadRunsController } from './thread-runs.controller';
import { ThreadStreamController } from './thread-stream.controller';
import { ThreadStreamService } from './thread-stream.service';
import { WorkerPool } from './worker-pool.service';

@Module({
  // forwardRef: ThreadsModule imports this module back (see there).
  imports: [forwardRef(() => AssistantsModule), GraphsModule, StreamingModule, WebhooksModule, forwardRef(() => ThreadsModule)],
  controllers: [ThreadRunsController, StatelessRunsController, ThreadStreamController],
  providers: [
    adapterFor(RunsRepository, SqliteRunsRepository, PostgresRunsRepository),
    RunsService,
    RunExecutor,
    RunWorker,
    RunResponder,
    WorkerPool,
    ThreadStreamService,
  ],
  exports: [RunsService, RunWorker, WorkerPool, RunsRepository, RunResponder],
})
export class RunsModule {}
