import type { RunEvent, RunOutcome } from './run-event';

/** A process's metrics as prom-client's `getMetricsAsJSON()` gives them (plain JSON, so IPC can carry them). */
export type MetricsJson = object[];

/** Messages from a worker process to the api process that forked it. */
export type WorkerToApiMessage =
  | { type: 'event'; runId: string; event: RunEvent }
  | { type: 'finish'; runId: string; outcome: RunOutcome }
  | { type: 'metrics'; requestId: number; metrics: MetricsJson };

/** Messages from the api process to its worker processes. */
export type ApiToWorkerMessage =
  | { type: 'wake' }
  | { type: 'cancel'; runId: string; action: 'interrupt' | 'rollback' }
  | { type: 'metrics-request'; requestId: number };

export function isWorkerMessage(value: unknown): value is WorkerToApiMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'event' || type === 'finish' || type === 'metrics';
}

export function isApiMessage(value: unknown): value is ApiToWorkerMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'wake' || type === 'cancel' || type === 'metrics-request';
}
