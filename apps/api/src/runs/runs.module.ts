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
import { WorkerPool } from './worker-pool.service';

@Module({
  imports: [AssistantsModule, GraphsModule, StreamingModule, WebhooksModule],
  controllers: [ThreadRunsController, StatelessRunsController],
  providers: [RunsService, RunExecutor, RunWorker, RunResponder, WorkerPool],
  exports: [RunsService, RunWorker, WorkerPool],
})
export class RunsModule {}
