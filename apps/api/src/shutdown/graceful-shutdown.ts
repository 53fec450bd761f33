import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { CronScheduler } from '../crons/cron-scheduler.service';
import { RunWorker } from '../runs/run-worker.service';
import { WorkerPool } from '../runs/worker-pool.service';
import { OpenStreams } from '../streaming/open-streams';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { type ShutdownParts, ShutdownCoordinator } from './shutdown-coordinator';

/** Forked workers get the same grace; this much more lets them hand back and exit before this process does. */
const WORKER_EXIT_MARGIN_MS = 5_000;
/** Keep-alive connections that went idle during the drain are closed this often, so the server's close completes. */
const IDLE_SWEEP_MS = 100;

const logger = new Logger('Shutdown');

function httpPart(server: Server): NonNullable<ShutdownParts['http']> {
  return {
    stopAccepting: () =>
      new Promise<void>((resolve) => {
        const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
      }),
    cutOpenConnections: () => server.closeAllConnections(),
  };
}

/** The parts of this process to drain, by its roles. */
export function shutdownParts(app: INestApplication, config: AppConfig, listening: boolean): ShutdownParts {
  const parts: ShutdownParts = { streams: app.get(OpenStreams) };
  if (listening) parts.http = httpPart(app.getHttpServer() as Server);
  if (config.roles.has('worker')) {
    parts.runs = app.get(RunWorker);
    parts.deliveries = app.get(WebhookDispatcher);
  }
  if (config.roles.has('scheduler')) {
    const scheduler = app.get(CronScheduler);
    parts.crons = { stop: () => scheduler.onApplicationShutdown() };
  }
  if (!config.worker.isForkedWorker && config.worker.processes > 0) {
    const pool = app.get(WorkerPool);
    parts.workers = { stop: () => pool.stopChildren(config.shutdown.graceMs + WORKER_EXIT_MARGIN_MS) };
  }
  return parts;
}

/**
 * The whole graceful stop of a process: drain (see ShutdownCoordinator), close the application (database pools,
 * timers), exit 0. Called once per process; later calls answer the same stop.
 */
export function gracefulStop(app: INestApplication, config: AppConfig, listening: boolean): (reason: string) => Promise<void> {
  const coordinator = new ShutdownCoordinator(shutdownParts(app, config, listening), {
    graceMs: config.shutdown.graceMs,
    after: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
    now: () => performance.now(),
  });
  let stopping: Promise<void> | null = null;
  return (reason) => {
    stopping ??= (async () => {
      logger.log(`${reason}: draining (grace ${config.shutdown.graceMs} ms); no more runs, deliveries or cron firings are claimed here`);
      const report = await coordinator.shutdown();
      for (const failure of report.failures) logger.error(`while draining, ${failure}`);
      logger.log(
        `drained in ${Math.round(report.drainMs)} ms: ${report.runsFinished} run(s) finished, ${report.runsReleased.length} handed back` +
          `${report.runsReleased.length > 0 ? ` (${report.runsReleased.join(', ')})` : ''}, ${report.deliveriesReleased} delivery(ies) handed back,` +
          ` ${report.streamsHandedOff} stream(s) told to reconnect`,
      );
      await app.close();
      process.exit(0);
    })().catch((error: unknown) => {
      logger.error(`shutdown failed: ${(error as Error).stack}`);
      process.exit(1);
    });
    return stopping;
  };
}

/** SIGTERM or SIGINT starts the graceful stop; a second one exits at once (128 + the signal's number, by custom). */
export function stopOnSignals(stop: (reason: string) => Promise<void>): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) {
      logger.warn(`${signal} again: exiting now, without waiting for the drain`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    received = true;
    void stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
