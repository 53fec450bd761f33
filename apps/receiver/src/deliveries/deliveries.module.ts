import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Clock, SystemClock } from '../common/clock';
import { ReceiverConfig } from '../config/receiver-config';
import { DeliveriesExceptionFilter } from './deliveries-exception.filter';
import { DeliveriesPageController } from './deliveries-page.controller';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';
import { SqliteDeliveriesRepository } from './sqlite-deliveries.repository';

@Module({
  controllers: [DeliveriesController, DeliveriesPageController],
  providers: [
    DeliveriesService,
    { provide: Clock, useClass: SystemClock },
    {
      provide: DeliveriesRepository,
      useFactory: (config: ReceiverConfig) => new SqliteDeliveriesRepository(config.databasePath),
      inject: [ReceiverConfig],
    },
    { provide: APP_FILTER, useClass: DeliveriesExceptionFilter },
  ],
  exports: [DeliveriesService],
})
export class DeliveriesModule {}
