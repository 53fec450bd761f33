import { Module } from '@nestjs/common';
import { AssistantsModule } from '../assistants/assistants.module';
import { GraphsModule } from '../graphs/graphs.module';
import { StreamingModule } from '../streaming/streaming.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { RunExecutor } from './run-executor.service';
import { RunResponder } from './run-responder.service';
import { RunWorker } from './run-worker.service';
import { RunsService } from './runs.service';
import { StatelessRunsController } from './stateless-runs.controller';
import { ThreadRunsController } from './thread-runs.controller';
import { ThreadStreamController } from './thread-stream.controller';
import { ThreadStreamService } from './thread-stream.service';
import { WorkerPool } from './worker-pool.service';

@Module({
  imports: [AssistantsModule, GraphsModule, StreamingModule, WebhooksModule],
  controllers: [ThreadRunsController, StatelessRunsController, ThreadStreamController],
  providers: [RunsService, RunExecutor, RunWorker, RunResponder, WorkerPool, ThreadStreamService],
  exports: [RunsService, RunWorker, WorkerPool],
})
export class RunsModule {}
