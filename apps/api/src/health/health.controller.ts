import { Controller, Get, Logger, Query, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { parseBooleanFlag } from '../common/json';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { DatabaseHealth } from '../persistence/database-health';

@ApiTags('meta')
@Controller()
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly database: DatabaseHealth,
  ) {}

  @Get('ok')
  async ok(@Query('check_db') checkDb?: string) {
    // As on the Platform, with the meta endpoints switched off /ok makes no checks at all.
    if (parseBooleanFlag(checkDb) && !this.config.langgraph.http.disabled.has('meta')) {
      try {
        await this.database.check();
      } catch (error) {
        // /ok is public (load balancers probe it), so the driver's message, which can name hosts and users, goes to
        // the log only.
        this.logger.warn(`readiness check failed: the database is unreachable: ${(error as Error).message}`);
        throw new ServiceUnavailableException({ detail: 'database unavailable' });
      }
    }
    return { ok: true };
  }

  @Get('info')
  info() {
    return {
      version: this.config.version,
      context: 'js',
      flags: {
        assistants: true,
        crons: true,
        langsmith: false,
        langsmith_tracing_replicas: false,
        webhooks: !this.config.langgraph.http.disableWebhooks,
      },
      metadata: { server: 'runhook', roles: [...this.config.roles] },
    };
  }
}
