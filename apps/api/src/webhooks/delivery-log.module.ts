import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { ThreadsModule } from '../threads/threads.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';
import { DeliveryVisibility } from './delivery-visibility';
import { WebhooksModule } from './webhooks.module';

/**
 * The delivery log API (`/webhooks/deliveries`, `/webhooks/endpoints`). Apart from WebhooksModule because under
 * custom auth it reads threads and runs to tell whose a delivery is, and those modules import WebhooksModule.
 */
@Module({
  imports: [WebhooksModule, ThreadsModule, RunsModule],
  controllers: [DeliveriesController],
  providers: [DeliveriesService, DeliveryVisibility],
})
export class DeliveryLogModule {}
