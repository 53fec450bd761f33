import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ReceiverConfig } from '../config/receiver-config';
import { renderDeliveriesPage } from './deliveries-page';
import { ReadTokenGuard } from './read-token.guard';

@Controller()
@UseGuards(ReadTokenGuard)
export class DeliveriesPageController {
  constructor(private readonly config: ReceiverConfig) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(@Res({ passthrough: true }) response: Response): string {
    const { html, contentSecurityPolicy } = renderDeliveriesPage({
      webhookPath: this.config.webhookPath,
      signatureCheck: this.config.signingSecrets.length > 0,
      tokenCheck: this.config.token !== undefined,
    });
    response.setHeader('Content-Security-Policy', contentSecurityPolicy);
    return html;
  }
}
