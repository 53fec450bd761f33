import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundTimers } from '../common/background-timers';
import { Clock } from '../common/clock';
import { uuid4 } from '../common/ids';
import { RunSignals } from '../common/run-signals';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { StreamBroker } from '../streaming/stream-broker';
import { RunExecutor } from './run-executor.service';
import { type CancelAction, type RunFence, type RunRecord, workerLostError } from './run-record';
import { RunsRepository } from './runs.repository';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service';
import { RunhookMetrics } from '../observability/runhook-metrics';

/** Stateless runs outlive their temporary thread this long, so late joins and other replicas can read them. */
const DETACHED_RUN_RETENTION_MS = 3_600_000;
const PURGE_EVERY_MS = 600_000;
/** How long a run handed back at shutdown may take to notice its abort before the process goes on closing. */
const STOP_AFTER_RELEASE_MS = 2_000;

interface ActiveRun {
  abort: AbortController;
  action: CancelAction | null;
  /** The attempt this process claimed: the fencing token of every write of this execution. */
  fence: RunFence;
  /** Set when a renewal found the run no longer held under `fence`: another worker owns it now. */
  leaseLost: boolean;
  /** Set when shutdown handed the run back to the queue: this execution stops and writes nothing more. */
  released: boolean;
  /** Set once the execution writes the run's end: from then on its lease is neither renewed nor lost. */
  ending: boolean;
  done: Promise<void>;
}

/**
 * Claims runs from the runs table and executes up to N_JOBS_PER_WORKER at once. It is woken in-process
 * the moment a run is created or one ends, so a run never waits for a polling interval; the slow poll
 * only covers runs created by other processes and delayed runs.
 */
@Injectable()
export class RunWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunWorker.name);
  readonly owner = uuid4();
  private readonly active = new Map<string, ActiveRun>();
  private pumping = false;
  private pumpAgain = false;
  /** The claim pass under way, if any. */
  private pumped: Promise<void> = Promise.resolve();
  private stopped = true;
  private readonly timers = new BackgroundTimers(this.logger);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly runs: RunsRepository,
    private readonly executor: RunExecutor,
    private readonly broker: StreamBroker,
    private readonly signals: RunSignals,
    private readonly clock: Clock,
    private readonly outbox: WebhookOutbox,
    private readonly metrics: RunhookMetrics,
  ) {}

  get enabled(): boolean {
    return this.config.roles.has('worker');
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.stopped = false;
    this.signals.onCancel((runId, action) => this.cancelLocal(runId, action));
    this.signals.onWake(() => this.wake());
    const { leaseMs, pollMs } = this.config.worker;
    this.timers.every(Math.max(100, Math.floor(leaseMs / 3)), () => this.renewLeases());
    this.timers.every(Math.max(200, Math.floor(leaseMs / 2)), () => this.reclaimExpired());
    this.timers.every(pollMs, () => this.wake());
    this.timers.every(PURGE_EVERY_MS, () => this.purgeDetached());
    this.reclaimExpired()
      .catch((error: unknown) => this.logger.error(`re-queueing abandoned runs failed: ${(error as Error).message}`))
      .finally(() => this.wake());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.timers.stop();
    // Runs still going are left to their lease: another worker (or this one after restart) takes them.
    await Promise.race([Promise.all([...this.active.values()].map((run) => run.done)), new Promise((r) => setTimeout(r, 5_000).unref())]);
  }

  /** Shutdown begins: no more claims (leases of the runs in flight are still renewed). */
  stopClaiming(): void {
    this.stopped = true;
  }

  /**
   * Shutdown: lets the runs in flight go on until `graceOver`, then stops the rest and hands their leases back
   * (pending again, due now, the attempt not used up), so another process resumes each one from its checkpoint.
   * Answers how many finished in time and which were handed back.
   */
  async drain(graceOver: Promise<void>): Promise<{ finished: number; released: string[] }> {
    this.stopClaiming();
    // A claim that began before the stop may still bring runs: they are in flight too.
    await this.pumped;
    const inFlight = [...this.active];
    const allDone = Promise.all(inFlight.map(([, entry]) => entry.done)).then(() => false);
    const graceEnded = await Promise.race([allDone, graceOver.then(() => true)]);
    // A run already writing its end is let finish: handing it back would only race that write.
    const left = graceEnded ? inFlight.filter(([runId, entry]) => this.active.get(runId) === entry && !entry.leaseLost && !entry.ending) : [];
    // Stopped before the release, so that once another process may claim the run, this graph is no longer going on.
    for (const [, entry] of left) {
      entry.released = true;
      entry.abort.abort(new Error('Server shutting down: the run is handed back to the queue'));
    }
    const released = await this.runs.releaseLeases(this.owner, new Map(left.map(([runId, entry]) => [runId, entry.fence])), this.clock.now());
    // An execution that ignores its abort signal must not hold the exit: its writes are fenced off by now.
    const stopped = Promise.all(left.map(([, entry]) => entry.done));
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, STOP_AFTER_RELEASE_MS).unref())]);
    return { finished: inFlight.length - released.length, released };
  }

  /** Asks for a claim pass soon; calls made while one is under way coalesce into one more pass. */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.pumped = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.pump());
  }

  /** Stops a run this process is executing; false when it runs elsewhere (its worker sees the flag). */
  cancelLocal(runId: string, action: CancelAction): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    run.action = action;
    run.abort.abort(new Error(`Run ${action === 'rollback' ? 'rolled back' : 'cancelled'}`));
    return true;
  }

  isLocal(runId: string): boolean {
    return this.active.has(runId);
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        const free = this.config.worker.concurrency - this.active.size;
        if (free <= 0) break;
        const now = this.clock.now();
        const claimed = await this.runs.claim(this.owner, free, now, now + this.config.worker.leaseMs);
        for (const run of claimed) this.start(run);
        if (claimed.length === free) this.pumpAgain = true;
      } while (this.pumpAgain && !this.stopped);
      await this.armDueTimer();
    } catch (error) {
      this.logger.error(`claiming runs failed: ${(error as Error).message}`);
    } finally {
      this.pumping = false;
      if (this.pumpAgain) this.wake();
    }
  }

  private start(run: RunRecord): void {
    // This process claimed the run again while an older attempt of its own still runs: that one is stale.
    const older = this.active.get(run.run_id);
    if (older) this.loseLease(run.run_id, older);
    const abort = new AbortController();
    const entry: ActiveRun = { abort, action: null, fence: { attempt: run.attempt }, leaseLost: false, released: false, ending: false, done: Promise.resolve() };
    this.active.set(run.run_id, entry);
    entry.done = this.executor
      .execute(run, {
        signal: abort.signal,
        fence: entry.fence,
        cancelAction: () => entry.action,
        leaseLost: () => entry.leaseLost,
        released: () => entry.released,
        holdsLease: () => this.holdsLease(run.run_id, entry),
        ending: () => {
          entry.ending = true;
        },
      })
      .catch((error: unknown) => this.logger.error(`run ${run.run_id} could not be ended: ${(error as Error).stack}`))
      .finally(() => {
        if (this.active.get(run.run_id) === entry) this.active.delete(run.run_id);
        this.wake();
      });
  }

  /** Another worker holds the run now: stop this execution at once; it writes nothing more. */
  private loseLease(runId: string, entry: ActiveRun): void {
    // A renewal that raced the committed end of the run finds it ended, not taken over.
    if (entry.leaseLost || entry.ending) return;
    entry.leaseLost = true;
    this.logger.warn(`run ${runId}: lease of attempt ${entry.fence.attempt} lost (another worker holds it); stopping this execution`);
    entry.abort.abort(new Error('Lease lost: the run is held by another worker'));
  }

  /** Renews one lease right before a write outside the runs table (checkpoints); false once it is lost. */
  private async holdsLease(runId: string, entry: ActiveRun): Promise<boolean> {
    if (entry.leaseLost) return false;
    const renewal = await this.runs.renewLeases(this.owner, new Map([[runId, entry.fence]]), this.clock.now() + this.config.worker.leaseMs);
    if (renewal.lost.includes(runId)) this.loseLease(runId, entry);
    return !entry.leaseLost;
  }

  /** Delayed runs (`after_seconds`) get a timer for the moment they become due. */
  private async armDueTimer(): Promise<void> {
    const now = this.clock.now();
    const due = await this.runs.nextDueAt(now);
    this.timers.armAt(this.stopped ? null : due, now, () => this.wake());
  }

  /** Extends the leases of the runs executing here (every third of RUN_LEASE_MS); a lease no longer held aborts its run. */
  async renewLeases(): Promise<void> {
    const until = this.clock.now() + this.config.worker.leaseMs;
    const held = new Map([...this.active].filter(([, entry]) => !entry.leaseLost && !entry.ending).map(([runId, entry]) => [runId, entry.fence] as const));
    if (held.size === 0) return;
    const { lost, cancels } = await this.runs.renewLeases(this.owner, held, until);
    for (const runId of lost) {
      const entry = this.active.get(runId);
      if (entry) this.loseLease(runId, entry);
    }
    for (const cancel of cancels) this.cancelLocal(cancel.run_id, cancel.action === 'rollback' ? 'rollback' : 'interrupt');
  }

  private async purgeDetached(): Promise<void> {
    const purged = await this.runs.purgeDetached(new Date(this.clock.now() - DETACHED_RUN_RETENTION_MS).toISOString());
    if (purged > 0) this.logger.log(`purged ${purged} ended stateless run(s)`);
  }

  /** Re-queues runs whose worker stopped renewing; those out of attempts end as WorkerLost in the same transaction. */
  async reclaimExpired(): Promise<void> {
    const { requeued, exhausted } = await this.runs.reclaimExpired({
      nowMs: this.clock.now(),
      maxAttempts: this.config.worker.maxAttempts,
      webhookFor: this.outbox.forRunEnd,
    });
    if (requeued.length > 0) {
      this.logger.warn(`re-queued ${requeued.length} run(s) whose worker stopped: ${requeued.join(', ')}`);
      this.wake();
    }
    if (exhausted.length === 0) return;
    this.outbox.notify();
    for (const run of exhausted) {
      const error = workerLostError(run.attempt);
      this.broker.finish(run.run_id, { status: 'error', output: { __error__: error } });
      this.signals.ended(run.run_id);
      this.metrics.runEnded('error', run.started_at === null ? null : Date.parse(run.started_at), this.clock.now());
      this.logger.error(`run ${run.run_id}: ${error.message}`);
    }
  }
}
