import { DynamicModule, Module } from '@nestjs/common';
import { AssistantsModule } from './assistants/assistants.module';
import { AuthModule } from './auth/auth.module';
import { Clock, SystemClock } from './common/clock';
import { CronsModule } from './crons/crons.module';
import { RunSignals } from './common/run-signals';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { HealthModule } from './health/health.module';
import { ObservabilityModule } from './observability/observability.module';
import { PersistenceModule } from './persistence/persistence.module';
import { RunsModule } from './runs/runs.module';
import { StoreModule } from './store/store.module';
import { ThreadProtocolModule } from './thread-protocol/thread-protocol.module';
import { ThreadsModule } from './threads/threads.module';
import { UiModule } from './ui/ui.module';
import { DeliveryLogModule } from './webhooks/delivery-log.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppOverrides {
  clock?: Clock;
}

/** The composition root: one build whose roles (api, worker, scheduler) are switched by config. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    const coreModule: DynamicModule = {
      module: class CoreModule {},
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
      imports: [coreModule, AuthModule, PersistenceModule, ObservabilityModule, HealthModule, AssistantsModule, ThreadsModule, CronsModule, RunsModule, WebhooksModule, DeliveryLogModule, StoreModule, UiModule, ThreadProtocolModule],
    };
  }
}
