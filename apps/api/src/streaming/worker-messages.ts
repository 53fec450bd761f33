import type { RunEvent, RunOutcome } from './run-event';

/** Messages from a worker process to the api process that forked it. */
export type WorkerToApiMessage =
  | { type: 'event'; runId: string; event: RunEvent }
  | { type: 'finish'; runId: string; outcome: RunOutcome };

/** Messages from the api process to its worker processes. */
export type ApiToWorkerMessage = { type: 'wake' } | { type: 'cancel'; runId: string; action: 'interrupt' | 'rollback' };

export function isWorkerMessage(value: unknown): value is WorkerToApiMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'event' || type === 'finish';
}

export function isApiMessage(value: unknown): value is ApiToWorkerMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'wake' || type === 'cancel';
}
