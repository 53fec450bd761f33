import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { Response } from 'express';
import { renderConsolePage } from './console-page';

/** Serves the delivery console page; its data comes from the delivery log's JSON routes, never from here. */
@Controller('webhooks')
export class ConsoleController {
  @Get()
  @ApiExcludeEndpoint()
  @Header('cache-control', 'no-store')
  page(@Res() response: Response): void {
    const { html, contentSecurityPolicy } = renderConsolePage();
    response.setHeader('content-security-policy', contentSecurityPolicy);
    response.setHeader('x-content-type-options', 'nosniff');
    response.type('html').send(html);
  }
}
