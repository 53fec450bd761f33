import { Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RunsModule } from '../runs/runs.module';
import { CronScheduler } from './cron-scheduler.service';
import { CronsController } from './crons.controller';
import { CronsRepository } from './crons.repository';
import { CronsService } from './crons.service';
import { SqliteCronsRepository } from './sqlite-crons.repository';

/** Cron definitions, their API and the scheduler that fires them (active with the `scheduler` role). */
@Module({
  imports: [ScheduleModule.forRoot(), RunsModule],
  controllers: [CronsController],
  providers: [
    {
      // TODO(#4): a PostgreSQL adapter (run describeCronsRepository against it) and move this choice to PersistenceModule.
      provide: CronsRepository,
      inject: [APP_CONFIG, ModuleRef],
      useFactory: (config: AppConfig, moduleRef: ModuleRef) =>
        config.database.kind === 'sqlite' ? moduleRef.create(SqliteCronsRepository) : unavailableOnPostgres(),
    },
    CronsService,
    CronScheduler,
  ],
  exports: [CronsService],
})
export class CronsModule {}

/** Until the PostgreSQL adapter exists, crons answer with an error naming the gap instead of failing the start. */
function unavailableOnPostgres(): CronsRepository {
  return new Proxy({} as CronsRepository, {
    get(_target, property) {
      if (property === 'then' || typeof property === 'symbol') return undefined;
      return () => Promise.reject(new Error(`crons have no PostgreSQL adapter yet (${String(property)})`));
    },
  });
}
