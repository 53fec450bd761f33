import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { adapterFor } from '../persistence/database';
import { RunsModule } from '../runs/runs.module';
import { ThreadsModule } from '../threads/threads.module';
import { CronScheduler } from './cron-scheduler.service';
import { CronsController } from './crons.controller';
import { CronsRepository } from './crons.repository';
import { CronsService } from './crons.service';
import { PostgresCronsRepository } from './postgres-crons.repository';
import { SqliteCronsRepository } from './sqlite-crons.repository';

/** Cron definitions, their API and the scheduler that fires them (active with the `scheduler` role). */
@Module({
  imports: [ScheduleModule.forRoot(), RunsModule, ThreadsModule],
  controllers: [CronsController],
  providers: [
    adapterFor(CronsRepository, SqliteCronsRepository, PostgresCronsRepository),
    CronsService,
    CronScheduler,
  ],
  exports: [CronsService],
})
export class CronsModule {}
