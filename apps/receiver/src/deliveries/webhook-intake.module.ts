import { Module } from '@nestjs/common';
import { DeliveriesModule } from './deliveries.module';
import { WebhookIntakeController } from './webhook-intake.controller';

// Its own module so that RouterModule can mount it under the configurable RECEIVER_PATH.
@Module({ imports: [DeliveriesModule], controllers: [WebhookIntakeController] })
export class WebhookIntakeModule {}
