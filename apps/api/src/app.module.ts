import { DynamicModule, Module } from '@nestjs/common';
import { AssistantGraphService } from './assistants/assistant-graph.service';
import { AssistantsController } from './assistants/assistants.controller';
import { AssistantsService } from './assistants/assistants.service';
import { Clock, SystemClock } from './common/clock';
import { RunSignals } from './common/run-signals';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { GraphRegistry } from './graphs/graph-registry.service';
import { HealthController } from './health/health.controller';
import { PersistenceModule } from './persistence/persistence.module';
import { RunExecutor } from './runs/run-executor.service';
import { RunResponder } from './runs/run-responder.service';
import { RunWorker } from './runs/run-worker.service';
import { RunsService } from './runs/runs.service';
import { StatelessRunsController } from './runs/stateless-runs.controller';
import { ThreadRunsController } from './runs/thread-runs.controller';
import { InProcessStreamBroker } from './streaming/in-process-stream-broker';
import { StreamBroker } from './streaming/stream-broker';
import { ThreadStateService } from './threads/thread-state.service';
import { ThreadsController } from './threads/threads.controller';
import { ThreadsService } from './threads/threads.service';

export interface AppOverrides {
  clock?: Clock;
}

/** The composition root: one build, its roles (api, worker, scheduler) switched by config. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    const configModule: DynamicModule = {
      module: class ConfigModule {},
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: overrides.clock ?? new SystemClock() },
        RunSignals,
      ],
      exports: [APP_CONFIG, Clock, RunSignals],
    };
    return {
      module: AppModule,
      imports: [configModule, PersistenceModule],
      controllers: config.roles.has('api')
        ? [HealthController, AssistantsController, ThreadsController, ThreadRunsController, StatelessRunsController]
        : [HealthController],
      providers: [
        GraphRegistry,
        { provide: StreamBroker, useClass: InProcessStreamBroker },
        AssistantsService,
        AssistantGraphService,
        ThreadsService,
        ThreadStateService,
        RunsService,
        RunExecutor,
        RunWorker,
        RunResponder,
      ],
    };
  }
}
