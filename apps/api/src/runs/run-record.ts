import type { Interrupt, MultitaskStrategy, Run, RunError, Thread, ThreadStatus } from '@runhook/contracts';
import type { NewWebhookDelivery } from '../webhooks/deliveries.repository';

/** A run as stored: the wire Run plus what the queue and the webhook need. */
export interface RunRecord extends Run {
  attempt: number;
  started_at: string | null;
  ended_at: string | null;
  error: RunError | null;
  final_values: unknown;
  /** Set only by the cron scheduler (server-side columns), never from client metadata. */
  cron?: CronProvenance;
}

/** The cron firing a run came from. */
export interface CronProvenance {
  cron_id: string;
  scheduled_at: string;
}

/**
 * A claim's fencing token: the attempt number the run was claimed as. Every write an execution makes (lease
 * renewal, events, checkpoint maintenance, the run end) carries it, and applies only while the run is still
 * `running` under that attempt, so a worker that stalled past its lease changes nothing once another took over.
 */
export interface RunFence {
  attempt: number;
}

/** Fencing outcome of a lease renewal. */
export interface LeaseRenewal {
  /** Runs this owner no longer holds under the given attempt: their execution must stop at once. */
  lost: string[];
  /** Runs someone asked to cancel meanwhile. */
  cancels: { run_id: string; action: string }[];
}

/** The error of a run whose workers all stopped before it could end. */
export function workerLostError(attempts: number): RunError {
  return { error: 'WorkerLost', message: `Run abandoned: its worker stopped (crash or kill) during ${attempts} attempt(s)` };
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
  /** Only the cron scheduler sets this. */
  cron?: CronProvenance;
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
  /** `finalValues` as JSON text, when the executor has it already: written as it is rather than serialized again. */
  finalValuesJson?: string;
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
  /**
   * Called once the run-end transaction has committed, before it is known to be on disk: the outbox wakes its
   * dispatcher here, whose claim then shares the run end's disk sync (it sends only once both are durable).
   */
  onCommitted?: () => void;
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
  const { attempt: _attempt, started_at: _started, ended_at: _ended, error: _error, final_values: _values, cron: _cron, ...run } = record;
  return run;
}

/**
 * The end of a run whose workers all stopped: an error (WorkerLost). Its thread, when it has one, keeps the
 * values it had and turns `error`; the webhook tells the same. Written by the reclaim that finds it exhausted.
 */
export function abandonedRunResult(
  run: RunRecord,
  endedAt: string,
  thread: { values: Record<string, unknown> | null } | null,
  webhookFor: RunWebhookFactory | undefined,
): RunResult {
  const error = workerLostError(run.attempt);
  const values = run.kwargs.temporary ? null : (thread?.values ?? null);
  return {
    status: 'error',
    error,
    finalValues: values,
    endedAt,
    discard: false,
    thread: run.kwargs.temporary || !thread ? null : { status: 'error', values, interrupts: {}, error },
    delivery: webhookFor?.(run, { status: 'error', endedAt, error, values }) ?? null,
  };
}

/** The JSON text of a run's final values, as stored with the run (null when there are none). */
export function finalValuesText(result: RunResult): string | null {
  if (result.finalValues === undefined || result.finalValues === null) return null;
  return result.finalValuesJson ?? JSON.stringify(result.finalValues);
}

/** The JSON text of the thread's new values: usually the run's final values, serialized once for both. */
export function threadValuesText(result: RunResult): string | null {
  const values = result.thread?.values ?? null;
  if (values === null) return null;
  return values === result.finalValues ? finalValuesText(result) : JSON.stringify(values);
}
