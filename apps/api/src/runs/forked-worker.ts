import type { INestApplication } from '@nestjs/common';
import { RunSignals } from '../common/run-signals';
import { RunhookMetrics } from '../observability/runhook-metrics';
import { isApiMessage, type WorkerToApiMessage } from '../streaming/worker-messages';

/**
 * Wires a forked worker process to its api process: wake-ups and cancels in, and exit with it. `stop` is the graceful
 * shutdown, the same one SIGTERM starts (runs get their grace, then are handed back).
 */
export function attachToApiProcess(app: INestApplication, stop: () => void): void {
  const signals = app.get(RunSignals);
  const metrics = app.get(RunhookMetrics);
  process.on('message', (message: unknown) => {
    if (!isApiMessage(message)) return;
    if (message.type === 'wake') signals.wake();
    else if (message.type === 'metrics-request') void answerMetrics(metrics, message.requestId);
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

/** The api process serves `/metrics` for its workers too: each answers with its own registry's values. */
async function answerMetrics(metrics: RunhookMetrics, requestId: number): Promise<void> {
  const snapshot = await metrics.snapshot();
  if (process.connected) process.send?.({ type: 'metrics', requestId, metrics: snapshot } satisfies WorkerToApiMessage);
}
