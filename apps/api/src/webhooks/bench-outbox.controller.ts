import { Body, Controller, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Clock } from '../common/clock';
import { uuid7 } from '../common/ids';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { DeliveriesRepository } from './deliveries.repository';
import { WebhookOutbox } from './webhook-outbox.service';

interface BenchBody {
  url: string;
  count: number;
}

/**
 * Benchmark-only (RUNHOOK_BENCH=1): writes outbox rows the way a run end does (row, then an in-process wake),
 * so the dispatcher can be measured without the cost of running graphs. Answers 404 otherwise.
 */
@ApiExcludeController()
@Controller('internal/bench/webhook-deliveries')
export class BenchOutboxController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly outbox: WebhookOutbox,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(202)
  async write(@Body() body: BenchBody): Promise<{ written: number }> {
    if (!this.config.webhooks.benchEndpoint) throw new NotFoundException({ detail: 'Not Found' });
    const count = Math.min(Math.max(Number(body.count) || 1, 1), 1_000);
    const endpoint = new URL(body.url).origin;
    for (let i = 0; i < count; i += 1) {
      const now = this.clock.now();
      const ended = new Date(now).toISOString();
      const payload = `{"run_id":"${uuid7(now)}","status":"success","run_ended_at":"${ended}","webhook_sent_at":"0000-00-00T00:00:00.000Z"}`;
      await this.deliveries.insert({ delivery_id: uuid7(now), webhook_id: uuid7(now), run_id: uuid7(now), thread_id: null, cron_id: null, url: body.url, endpoint, payload, created_at: now });
    }
    this.outbox.notify();
    return { written: count };
  }
}
