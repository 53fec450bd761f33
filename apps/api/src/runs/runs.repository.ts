import type { Run, RunStatus } from '@runhook/contracts';
import type { RunEvent } from '../streaming/run-event';
import type {
  CancelRequest,
  CancelledRun,
  CreateRunCommand,
  CreateRunResult,
  LeaseRenewal,
  RunFence,
  RunRecord,
  RunResult,
  RunWebhookFactory,
} from './run-record';

export interface ReclaimRequest {
  nowMs: number;
  maxAttempts: number;
  /** Builds the delivery of each run that ends here out of attempts (written in the same transaction). */
  webhookFor?: RunWebhookFactory;
}

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
  /**
   * Extends the owner's leases, each only while the run is still `running` under the attempt it was claimed as;
   * answers the leases it no longer holds and the runs someone asked to cancel meanwhile.
   */
  abstract renewLeases(owner: string, leases: Map<string, RunFence>, leaseUntilMs: number): Promise<LeaseRenewal>;
  /**
   * Re-queues runs whose owner stopped renewing. Runs out of attempts end here as `error` (WorkerLost), with their
   * thread and their delivery, in the same transaction; they are returned so the caller can tell their clients.
   */
  abstract reclaimExpired(request: ReclaimRequest): Promise<{ requeued: string[]; exhausted: RunRecord[] }>;
  /**
   * A stopping worker hands its runs back: each one still `running` under the owner and the attempt it was claimed as
   * turns `pending`, due at once, and the attempt is counted as released (not used: see RUN_MAX_ATTEMPTS).
   * The attempt number itself stays, so writes of the stopped execution stay fenced off. Answers the runs released.
   */
  abstract releaseLeases(owner: string, leases: Map<string, RunFence>, nowMs: number): Promise<string[]>;
  /**
   * The run-end transaction: status, thread, outbox row. With a fence (every worker's end) it applies only while
   * the run is `running` under that attempt and answers false otherwise, writing nothing and enqueueing nothing.
   */
  abstract finish(runId: string, result: RunResult, fence?: RunFence): Promise<boolean>;
  abstract get(runId: string): Promise<RunRecord | null>;
  abstract list(threadId: string, options: { limit: number; offset: number; status?: RunStatus }): Promise<Run[]>;
  abstract delete(runId: string): Promise<boolean>;
  /** Pending runs end at once; running ones are flagged for their worker and returned. */
  abstract cancel(request: CancelRequest): Promise<CancelledRun[]>;
  /**
   * Stores events in one write. With a fence, they are stored only while the run is still `running` under that
   * attempt. A reader follows stored events by `seq > last seen`, so callers write a run's events in order, one
   * write at a time (`OrderedEventWriter`): a later event committed first would make the reader skip the earlier.
   */
  abstract appendEvents(runId: string, events: RunEvent[], fence?: RunFence): Promise<void>;
  abstract listEvents(runId: string, afterSeq: number): Promise<RunEvent[]>;
  /** Deletes ended runs whose thread is gone (stateless runs) that ended before `endedBefore`; answers how many. */
  abstract purgeDetached(endedBefore: string): Promise<number>;
}
