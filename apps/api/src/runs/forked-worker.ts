import type { INestApplication } from '@nestjs/common';
import { RunSignals } from '../common/run-signals';
import { isApiMessage } from '../streaming/worker-messages';

/**
 * Wires a forked worker process to its api process: wake-ups and cancels in, and exit with it. `stop` is the graceful
 * shutdown, the same one SIGTERM starts (runs get their grace, then are handed back).
 */
export function attachToApiProcess(app: INestApplication, stop: () => void): void {
  const signals = app.get(RunSignals);
  process.on('message', (message: unknown) => {
    if (!isApiMessage(message)) return;
    if (message.type === 'wake') signals.wake();
    else signals.cancel(message.runId, message.action);
  });
  // The api process is gone (even by kill -9): stop too.
  // It may have gone while this process was still starting (slower on PostgreSQL), before anyone listened.
  if (!process.connected) {
    stop();
    return;
  }
  process.once('disconnect', stop);
}
