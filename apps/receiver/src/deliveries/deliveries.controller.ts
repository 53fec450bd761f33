import { Controller, Get, MessageEvent, Param, Query, Sse, UseGuards } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { DeliveriesService } from './deliveries.service';
import type { DeliveryDetailView, DeliverySummaryView } from './delivery.types';
import { ReadTokenGuard } from './read-token.guard';

@Controller()
@UseGuards(ReadTokenGuard)
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get('deliveries')
  list(@Query('limit') limit?: string): Promise<DeliverySummaryView[]> {
    return this.deliveries.list(limit);
  }

  @Get('deliveries/:webhookId')
  get(@Param('webhookId') webhookId: string): Promise<DeliveryDetailView> {
    return this.deliveries.get(webhookId);
  }

  @Sse('events')
  events(): Observable<MessageEvent> {
    return this.deliveries.events();
  }
}
