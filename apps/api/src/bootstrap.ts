import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule, type AppOverrides } from './app.module';
import { AssistantsService } from './assistants/assistants.service';
import { bindRequestAuth } from './auth/auth-gate';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import { GraphRegistry } from './graphs/graph-registry.service';
import { installHttpSurface } from './http/http-surface';

/** Builds the configured application; `main.ts` and the tests both start it through here. */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, overrides), {
    logger: ['log', 'warn', 'error'],
    bodyParser: false,
  });
  await installHttpSurface(app, config);
  app.useBodyParser('json', { limit: '25mb' });
  // The JS reference server also takes JSON sent as text/plain; some clients do that.
  app.useBodyParser('text', { limit: '25mb', type: 'text/plain' });
  app.use((request: { body: unknown; is: (type: string) => string | false }, _response: unknown, next: (error?: unknown) => void) => {
    if (typeof request.body === 'string' && request.is('text/plain')) {
      try {
        request.body = request.body.length > 0 ? JSON.parse(request.body) : {};
      } catch (error) {
        return next(Object.assign(error as Error, { type: 'entity.parse.failed', status: 400 }));
      }
    }
    next();
  });
  app.use(bindRequestAuth);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Runhook').setDescription('LangGraph-compatible agent server with reliable webhooks').setVersion(config.version).build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  app.get(GraphRegistry).loadAll();
  await app.get(AssistantsService).ensureSystemAssistants();
  new Logger('Runhook').log(`database: ${config.database.kind} ${config.database.kind === 'sqlite' ? config.database.location : ''}`);
  return app;
}
