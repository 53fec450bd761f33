import type { Interrupt, MultitaskStrategy, Run, RunError, Thread, ThreadStatus } from '@runhook/contracts';
import type { NewWebhookDelivery } from '../webhooks/deliveries.repository';

/** A run as stored: the wire Run plus what the queue and the webhook need. */
export interface RunRecord extends Run {
  attempt: number;
  started_at: string | null;
  ended_at: string | null;
  error: RunError | null;
  final_values: unknown;
}

export type CancelAction = 'interrupt' | 'rollback';

export interface CreateRunCommand {
  run: Run;
  /** Inserted first when the run's thread does not exist (stateless runs, `if_not_exists: create`). */
  threadToCreate: Thread | null;
  /** Merged into the thread's metadata (graph_id, assistant_id). */
  threadMetadata: Record<string, unknown>;
  multitaskStrategy: MultitaskStrategy;
  now: string;
  /** Builds the webhook delivery of each pending run this command cancels (multitask interrupt/rollback). */
  webhookFor?: RunWebhookFactory;
}

export interface CancelledRun {
  run_id: string;
  thread_id: string;
  /** Running runs must also be stopped by the worker that owns them. */
  wasRunning: boolean;
  action: CancelAction;
}

export type CreateRunResult =
  | { kind: 'created'; run: Run; cancelled: CancelledRun[] }
  | { kind: 'thread-not-found' }
  | { kind: 'conflict' };

export type TerminalStatus = 'success' | 'error' | 'interrupted' | 'timeout';

/** How a run ended, as its webhook tells it. */
export interface RunEnd {
  status: TerminalStatus;
  endedAt: string;
  error: RunError | null;
  /** The final state values (also for stateless runs). */
  values: unknown;
}

/**
 * The outbox row for a run that ends, or null when it has no webhook. Called inside the run-end transaction,
 * so it must not do I/O.
 */
export type RunWebhookFactory = (run: RunRecord, end: RunEnd) => NewWebhookDelivery | null;

export interface RunResult {
  status: TerminalStatus;
  error: RunError | null;
  finalValues: unknown;
  endedAt: string;
  /** Delete the run instead of recording it (cancel with rollback). */
  discard: boolean;
  /** The thread's new state; its status becomes `busy` instead when other runs wait on it. */
  thread: {
    status: ThreadStatus;
    values: Record<string, unknown> | null;
    interrupts: Record<string, Interrupt[]>;
    error: RunError | null;
  } | null;
  /** The webhook outbox row, written in the same transaction (also when the run was deleted meanwhile). */
  delivery?: NewWebhookDelivery | null;
}

export interface CancelRequest {
  runIds?: string[];
  threadId?: string;
  status?: 'pending' | 'running' | 'all';
  action: CancelAction;
  now: string;
  /** Builds the webhook delivery of each pending run that ends here. */
  webhookFor?: RunWebhookFactory;
}

/** The Run as the API shows it, without the queue's bookkeeping. */
export function toWireRun(record: RunRecord): Run {
  const { attempt: _attempt, started_at: _started, ended_at: _ended, error: _error, final_values: _values, ...run } = record;
  return run;
}
