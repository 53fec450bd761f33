import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { loadAppConfig } from './config/app-config';
import { ConfigError } from './config/config-error';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  new Logger('Runhook').log(`listening on http://${config.host}:${config.port} (roles: ${[...config.roles].join(', ')})`);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `configuration error: ${error.message}` : (error as Error).stack;
  // eslint-disable-next-line no-console
  console.error(message);
  process.exit(1);
});
