import { Controller, Get, Logger, Query, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { parseBooleanFlag } from '../common/json';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { DatabaseHealth } from '../persistence/database-health';

class CheckTimeout extends Error {}

/**
 * A database that stops answering (a cut network holds a query until TCP gives up, minutes later) must still get
 * a prompt 503, or the balancer's probe times out instead of reading one. The check itself is left to finish.
 */
function withTimeout(check: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([check, timeout]).finally(() => clearTimeout(timer));
}

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
      const timeoutMs = this.config.readinessTimeoutMs;
      try {
        await withTimeout(this.database.check(), timeoutMs);
      } catch (error) {
        // /ok is public (load balancers probe it), so the driver's message, which can name hosts and users, goes to
        // the log only.
        this.logger.warn(`readiness check failed: the database is unreachable: ${(error as Error).message}`);
        const detail = error instanceof CheckTimeout ? `database unavailable: no answer within ${timeoutMs} ms` : 'database unavailable';
        throw new ServiceUnavailableException({ detail });
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
