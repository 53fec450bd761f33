import type { RunnableConfig } from '@langchain/core/runnables';
import { isDatabaseUnavailable } from '../common/database-errors';

/**
 * The `configurable` key under which a worker hands the savers the attempt it executes. LangGraph passes
 * `configurable` on to every `put` and `putWrites` of the run (subgraphs included); keys starting with `__`
 * are not copied into checkpoint metadata.
 */
export const CHECKPOINT_FENCE_KEY = '__runhook_checkpoint_fence';

/** A checkpoint write is accepted only while this run is `running` under this attempt. */
export interface CheckpointFence {
  runId: string;
  attempt: number;
}

export function fenceOf(config: RunnableConfig): CheckpointFence | null {
  const fence = config.configurable?.[CHECKPOINT_FENCE_KEY] as Partial<CheckpointFence> | undefined;
  if (!fence || typeof fence.runId !== 'string' || typeof fence.attempt !== 'number') return null;
  return { runId: fence.runId, attempt: fence.attempt };
}

/** Thrown by a saver when the writing attempt is no longer the run's: another worker has taken it over. */
export class StaleAttemptError extends Error {
  constructor(fence: CheckpointFence) {
    super(`run ${fence.runId}: attempt ${fence.attempt} no longer holds the run; its checkpoint write was refused`);
    this.name = 'StaleAttemptError';
  }
}

/**
 * Thrown by a saver when the database could not take a worker's checkpoint read or write for now (a restart, a lost
 * connection, a full disk). The run is not at fault: its worker ends nothing, and once the lease lapses another
 * attempt resumes the run from its last checkpoint.
 */
export class CheckpointStoreUnavailableError extends Error {
  constructor(
    fence: CheckpointFence,
    override readonly cause: Error,
  ) {
    super(`run ${fence.runId}: attempt ${fence.attempt} could not reach the database for a checkpoint: ${cause.message}`);
    this.name = 'CheckpointStoreUnavailableError';
  }
}

/** The error a fenced checkpoint operation answers: an outage of the database becomes `CheckpointStoreUnavailableError`. */
export function checkpointFailure(fence: CheckpointFence | null, error: unknown): unknown {
  return fence && isDatabaseUnavailable(error) ? new CheckpointStoreUnavailableError(fence, error as Error) : error;
}

/** Whether a run failed because its checkpoints could not reach the database, however the graph wrapped it. */
export function isCheckpointStoreOutage(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (cause instanceof CheckpointStoreUnavailableError) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
