import type { Run, RunStatus } from '@runhook/contracts';
import type { RunEvent } from '../streaming/run-event';
import type { CancelRequest, CancelledRun, CreateRunCommand, CreateRunResult, RunRecord, RunResult } from './run-record';

/**
 * Storage port for runs. The runs table is the queue: claims, leases and the run-end transaction
 * (run status, thread status and state together) live here so every adapter keeps them atomic.
 */
export abstract class RunsRepository {
  /** Applies the multitask strategy and inserts the pending run, in one transaction. */
  abstract createRun(command: CreateRunCommand): Promise<CreateRunResult>;
  /** Claims up to `limit` due runs, at most one per thread and none on a thread with a running run. */
  abstract claim(owner: string, limit: number, nowMs: number, leaseUntilMs: number): Promise<RunRecord[]>;
  /** When the earliest delayed (`after_seconds`) pending run becomes due, if any. */
  abstract nextDueAt(nowMs: number): Promise<number | null>;
  /** Extends the owner's leases; answers the runs someone asked to cancel meanwhile. */
  abstract renewLeases(owner: string, runIds: string[], leaseUntilMs: number): Promise<{ run_id: string; action: string }[]>;
  /** Re-queues runs whose owner stopped renewing; runs out of attempts are returned to be ended as errors. */
  abstract reclaimExpired(nowMs: number, maxAttempts: number): Promise<{ requeued: string[]; exhausted: RunRecord[] }>;
  abstract finish(runId: string, result: RunResult): Promise<void>;
  abstract get(runId: string): Promise<RunRecord | null>;
  abstract list(threadId: string, options: { limit: number; offset: number; status?: RunStatus }): Promise<Run[]>;
  abstract delete(runId: string): Promise<boolean>;
  /** Pending runs end at once; running ones are flagged for their worker and returned. */
  abstract cancel(request: CancelRequest): Promise<CancelledRun[]>;
  abstract appendEvent(runId: string, event: RunEvent): Promise<void>;
  abstract listEvents(runId: string, afterSeq: number): Promise<RunEvent[]>;
  /** Deletes ended runs whose thread is gone (stateless runs) that ended before `endedBefore`; answers how many. */
  abstract purgeDetached(endedBefore: string): Promise<number>;
}
