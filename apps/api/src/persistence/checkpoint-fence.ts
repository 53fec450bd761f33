import type { RunnableConfig } from '@langchain/core/runnables';

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
