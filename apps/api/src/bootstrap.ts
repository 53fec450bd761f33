import { retryWhileDatabaseDown, START_RETRY_BUDGET_MS } from './common/database-errors';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule, type AppOverrides } from './app.module';
import { AssistantsService } from './assistants/assistants.service';
import { bindRequestAuth } from './auth/auth-gate';
import { AuthService } from './auth/auth.service';
import { applyBodyParsing } from './common/body-parsing';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import { GraphRegistry } from './graphs/graph-registry.service';
import { installHttpSurface } from './http/http-surface';
import { createRootLogger, PinoLoggerService } from './observability/pino-logger';
import { requestLogger } from './observability/request-log';
import { ThreadProtocolSockets } from './thread-protocol/thread-protocol.sockets';

/** Builds the configured application; `main.ts` and the tests both start it through here. */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<INestApplication> {
  const root = createRootLogger(config.log);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, overrides), {
    logger: new PinoLoggerService(root),
    bodyParser: false,
  });
  // The reference answers without ETags, and Express would hash every JSON body (SHA-1) to make one; nobody
  // revalidates API answers that change with every run.
  app.set('etag', false);
  // First, so that every answer is logged, custom routes' and refusals' included.
  app.use(requestLogger(root));
  await installHttpSurface(app, config);
  applyBodyParsing(app, { maxBytes: config.requestBody.maxBytes });
  // Without custom auth no request has a caller, and an idle AsyncLocalStorage would still cost every promise.
  if (app.get(AuthService).authenticates) app.use(bindRequestAuth);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  // No enableShutdownHooks(): main.ts owns SIGTERM/SIGINT (see shutdown/graceful-shutdown.ts), and closes the app itself.
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Runhook').setDescription('LangGraph-compatible agent server with reliable webhooks').setVersion(config.version).build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  // The thread protocol's WebSocket transport: upgrades go through the same HTTP app, then its route takes them over.
  if (config.roles.has('api')) app.get(ThreadProtocolSockets).listen(app.getHttpServer(), app.getHttpAdapter().getInstance());
  await app.get(GraphRegistry).loadAll();
  const assistants = app.get(AssistantsService);
  await retryWhileDatabaseDown(() => assistants.ensureSystemAssistants(), {
    budgetMs: START_RETRY_BUDGET_MS,
    onRetry: (error, delayMs) => new Logger('Runhook').warn(`database unavailable at start (${error.message}); trying again in ${delayMs} ms`),
  });
  new Logger('Runhook').log(`database: ${config.database.kind} ${config.database.kind === 'sqlite' ? config.database.location : ''}`);
  return app;
}
