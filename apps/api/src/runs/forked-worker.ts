import type { INestApplication } from '@nestjs/common';
import { RunSignals } from '../common/run-signals';
import { isApiMessage } from '../streaming/worker-messages';

/** Wires a forked worker process to its api process: wake-ups and cancels in, and exit with it. */
export function attachToApiProcess(app: INestApplication): void {
  const signals = app.get(RunSignals);
  process.on('message', (message: unknown) => {
    if (!isApiMessage(message)) return;
    if (message.type === 'wake') signals.wake();
    else signals.cancel(message.runId, message.action);
  });
  // The api process is gone (even by kill -9): stop too; runs still held are re-claimed when leases lapse.
  const stop = (): void => void app.close().finally(() => process.exit(0));
  // It may have gone while this process was still starting (slower on PostgreSQL), before anyone listened.
  if (!process.connected) {
    stop();
    return;
  }
  process.once('disconnect', stop);
}
