import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { loadReceiverConfig, ReceiverConfig, ReceiverConfigError } from './config/receiver-config';

// Runs carry their final state, which can be large; refusing one would only make the sender retry it for days.
const MAX_BODY_SIZE = '10mb';

async function bootstrap(): Promise<void> {
  let config: ReceiverConfig;
  try {
    config = loadReceiverConfig();
  } catch (error) {
    if (error instanceof ReceiverConfigError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }

  // rawBody keeps the exact request bytes next to the parsed body: the signature covers those bytes.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    rawBody: true,
    logger: ['error', 'warn'],
  });
  app.useBodyParser('json', { limit: MAX_BODY_SIZE });
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);

  const url = await app.getUrl();
  const checks = [
    config.token === undefined ? 'token check off' : 'token check on',
    config.signingSecrets.length === 0 ? 'signature check OFF' : `signature check on (${config.signingSecrets.length} secret(s))`,
    config.failFirst > 0 ? `failing the first ${config.failFirst} attempt(s) of each delivery` : undefined,
  ].filter((check) => check !== undefined);
  console.log(`Runhook receiver listening on ${url} (POST ${config.webhookPath}; ${checks.join('; ')}; db ${config.databasePath})`);
}

void bootstrap();
