import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DELIVERY_STATUSES, SearchDeliveriesDto } from '@runhook/contracts';
import type { Response } from 'express';
import { setPaginationHeaders } from '../common/pagination';
import { UuidParamPipe } from '../common/uuid.pipe';
import { DELIVERY_DETAIL_SCHEMA, DELIVERY_SCHEMA, ENDPOINT_HEALTH_SCHEMA } from './delivery.openapi';
import { DeliveriesService } from './deliveries.service';

const DeliveryIdPipe = new UuidParamPipe('delivery ID');

@ApiTags('webhooks')
@Controller('webhooks')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get('deliveries')
  @ApiOperation({ summary: 'List webhook deliveries, newest first', description: 'Paged: X-Pagination-Total and X-Pagination-Next headers.' })
  @ApiQuery({ name: 'run_id', required: false, type: String })
  @ApiQuery({ name: 'thread_id', required: false, type: String })
  @ApiQuery({ name: 'cron_id', required: false, type: String })
  @ApiQuery({ name: 'status', required: false, enum: [...DELIVERY_STATUSES] })
  @ApiQuery({ name: 'endpoint', required: false, type: String, description: 'scheme://host:port, as GET /webhooks/endpoints lists it' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: 'Default 10' })
  @ApiQuery({ name: 'offset', required: false, type: Number, description: 'Default 0' })
  @ApiOkResponse({ schema: { type: 'array', items: DELIVERY_SCHEMA } })
  async search(@Query() query: SearchDeliveriesDto, @Res({ passthrough: true }) response: Response) {
    const { items, total } = await this.deliveries.search(query);
    setPaginationHeaders(response, query.offset ?? 0, items.length, total);
    return items;
  }

  @Get('endpoints')
  @ApiOperation({
    summary: 'Health of each webhook endpoint (scheme://host:port) over the last hour of attempts',
    description: 'success_rate counts 2xx answers; failing_since is the first attempt of the current unbroken run of failures, or null.',
  })
  @ApiOkResponse({ schema: { type: 'array', items: ENDPOINT_HEALTH_SCHEMA } })
  endpoints() {
    return this.deliveries.endpoints();
  }

  @Get('deliveries/:deliveryId')
  @ApiOperation({ summary: 'One webhook delivery with every attempt (time, status code, duration, error, first bytes of the answer)' })
  @ApiParam({ name: 'deliveryId', format: 'uuid' })
  @ApiOkResponse({ schema: DELIVERY_DETAIL_SCHEMA })
  @ApiNotFoundResponse({ description: 'No such delivery' })
  get(@Param('deliveryId', DeliveryIdPipe) deliveryId: string) {
    return this.deliveries.get(deliveryId);
  }

  @Post('deliveries/:deliveryId/redeliver')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a delivery again now, with the same webhook-id; answers the delivery after that attempt' })
  @ApiParam({ name: 'deliveryId', format: 'uuid' })
  @ApiOkResponse({ schema: DELIVERY_DETAIL_SCHEMA })
  @ApiNotFoundResponse({ description: 'No such delivery' })
  @ApiConflictResponse({ description: 'The delivery is being sent right now' })
  redeliver(@Param('deliveryId', DeliveryIdPipe) deliveryId: string) {
    return this.deliveries.redeliver(deliveryId);
  }
}
