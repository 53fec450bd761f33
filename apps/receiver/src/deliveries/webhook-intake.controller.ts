import { Controller, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { DeliveriesService } from './deliveries.service';
import type { DeliveryAcknowledgement } from './delivery.types';

/** POST <RECEIVER_PATH>; the path prefix comes from RouterModule in AppModule. */
@Controller()
export class WebhookIntakeController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Post()
  @HttpCode(200)
  receive(@Req() request: RawBodyRequest<Request>): Promise<DeliveryAcknowledgement> {
    return this.deliveries.receive({ rawBody: request.rawBody, headers: request.headers, url: request.originalUrl });
  }
}
