import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { adapterFor } from '../persistence/database';
import { BenchOutboxController } from './bench-outbox.controller';
import { ConsoleController } from './console/console.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DnsHostResolver, HostResolver } from './host-resolver';
import { PostgresDeliveriesRepository } from './postgres-deliveries.repository';
import { SqliteDeliveriesRepository } from './sqlite-deliveries.repository';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookOutbox } from './webhook-outbox.service';
import { WebhookSender } from './webhook-sender';
import { WebhookUrlValidator } from './webhook-url.validator';

/**
 * Run-end webhooks: URL validation (runs and crons), the outbox producer, the dispatcher (worker role) and the
 * console page (/webhooks; the log's API is DeliveryLogModule), over the DeliveriesRepository port bound here.
 */
@Module({
  controllers: [ConsoleController, BenchOutboxController],
  providers: [
    adapterFor(DeliveriesRepository, SqliteDeliveriesRepository, PostgresDeliveriesRepository),
    { provide: HostResolver, useClass: DnsHostResolver },
    {
      provide: WebhookSender,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new WebhookSender({
          policy: config.langgraph.webhooks.url,
          connectTimeoutMs: config.webhooks.connectTimeoutMs,
          timeoutMs: config.webhooks.timeoutMs,
          connectionsPerEndpoint: config.webhooks.maxPerEndpoint,
        }),
    },
    WebhookUrlValidator,
    WebhookOutbox,
    WebhookDispatcher,
  ],
  exports: [WebhookUrlValidator, WebhookOutbox, WebhookDispatcher, DeliveriesRepository],
})
export class WebhooksModule {}
