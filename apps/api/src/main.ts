import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { loadAppConfig } from './config/app-config';
import { ConfigError } from './config/config-error';
import { attachToApiProcess } from './runs/forked-worker';
import { WorkerPool } from './runs/worker-pool.service';
import { gracefulStop, stopOnSignals } from './shutdown/graceful-shutdown';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const app = await createApp(config);
  const roles = [...config.roles].join(', ');
  if (!config.roles.has('api')) {
    // Worker or scheduler replicas serve no HTTP: they only take work from the database.
    await app.init();
    const stop = gracefulStop(app, config, false);
    stopOnSignals(stop);
    if (config.worker.isForkedWorker) attachToApiProcess(app, () => void stop('the api process is gone'));
    new Logger('Runhook').log(`started without HTTP (roles: ${roles})`);
    return;
  }
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(`${config.host}:${config.port} is already in use: choose another PORT (or HOST)`);
    }
    throw error;
  }
  stopOnSignals(gracefulStop(app, config, true));
  app.get(WorkerPool).start(process.argv[1]);
  new Logger('Runhook').log(`listening on http://${config.host}:${config.port} (roles: ${roles})`);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `configuration error: ${error.message}` : (error as Error).stack;
  console.error(message);
  process.exit(1);
});
