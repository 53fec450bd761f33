import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsService } from './metrics.service';

/** Prometheus scrapes; like every route but /ok it needs RUNHOOK_API_KEYS' x-api-key (or custom auth) when set. */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('cache-control', 'no-store')
  async scrape(@Res() response: Response): Promise<void> {
    const body = await this.metrics.scrape();
    response.type(this.metrics.contentType).send(body);
  }
}
