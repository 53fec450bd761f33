import { AuthContext } from '../auth/auth-context';
import { HttpException, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { RunCreateStatelessDto } from '@runhook/contracts';
import { redactCredentials } from '@runhook/webhooks';
import { BackgroundTimers } from '../common/background-timers';
import { Clock } from '../common/clock';
import { uuid5 } from '../common/ids';
import { type AppConfig, InjectConfig } from '../config/app-config';
import type { CreateRunCommand } from '../runs/run-record';
import { RunsService } from '../runs/runs.service';
import type { CronRecord, CronVersion } from './cron-record';
import { planFirings } from './cron-schedule';
import { CronsRepository } from './crons.repository';
import { CronsService } from './crons.service';
import { RunhookMetrics } from '../observability/runhook-metrics';

/** Namespace of the ids derived from a firing, so a slot's run and thread ids are the same in every process. */
export const CRON_FIRING_NAMESPACE = '9d72d3c4-fa64-432c-ae49-bf58f5bd67c5';
const INTERVAL_NAME = 'runhook-crons';
const BATCH = 500;
const MAX_SLOTS_PER_TICK = 60;
const PURGE_EVERY_MS = 60_000;

export interface TickReport {
  fired: number;
  duplicates: number;
  stale: number;
  skipped: number;
  failed: number;
  /** Slots whose run could not be prepared for a passing reason: left due, tried again at the next tick. */
  deferred: number;
}

/**
 * A firing whose run was refused by the rules (4xx: bad payload, unknown assistant, webhook policy) is
 * recorded as spent. Anything else (a database error, a DNS failure of the webhook host) may pass: retry.
 */
export function isTransientPrepareFailure(failure: unknown): boolean {
  if ((failure as { transient?: unknown })?.transient === true) return true;
  return !(failure instanceof HttpException && failure.getStatus() < 500);
}

export function firingIds(cronId: string, scheduledAt: string): { runId: string; newThreadId: string } {
  return {
    runId: uuid5(`run:${cronId}@${scheduledAt}`, CRON_FIRING_NAMESPACE),
    newThreadId: uuid5(`thread:${cronId}@${scheduledAt}`, CRON_FIRING_NAMESPACE),
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Fires due crons. `@nestjs/schedule` only wakes it (every CRON_TICK_MS, and a timer for the next due cron);
 * the database decides: each slot is claimed by `CronsRepository.fire`, so any number of replicas may tick.
 */
@Injectable()
export class CronScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CronScheduler.name);
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly timers = new BackgroundTimers(this.logger);
  private lastPurgeMs = 0;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly repository: CronsRepository,
    private readonly runs: RunsService,
    private readonly crons: CronsService,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    private readonly metrics: RunhookMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.has('scheduler')) return;
    this.stopped = false;
    const interval = setInterval(() => this.wake(), this.config.crons.tickMs);
    interval.unref();
    this.registry.addInterval(INTERVAL_NAME, interval);
    this.crons.onScheduleChange(() => this.wake());
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // ScheduleModule may have cleared its intervals already during the same shutdown.
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    this.timers.stop();
    await this.running;
  }

  /** Asks for a pass soon; calls during a pass coalesce into one more. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.again) this.wake();
    });
  }

  /** One pass over the due crons at the clock's now. Each cron's errors stay its own. */
  async tick(): Promise<TickReport> {
    const nowMs = this.clock.now();
    const report: TickReport = { fired: 0, duplicates: 0, stale: 0, skipped: 0, failed: 0, deferred: 0 };
    const due = await this.repository.listDue(new Date(nowMs).toISOString(), BATCH);
    for (const cron of due) {
      try {
        await this.fireCron(cron, nowMs, report);
      } catch (error) {
        report.failed++;
        this.logger.error(redactCredentials(`cron ${cron.cron_id} could not fire: ${(error as Error).message}`));
      }
    }
    if (due.length === BATCH && report.failed < due.length) this.again = true;
    if (nowMs - this.lastPurgeMs >= PURGE_EVERY_MS) await this.purge(nowMs);
    return report;
  }

  private async loop(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    do {
      this.again = false;
      try {
        await this.tick();
      } catch (error) {
        this.logger.error(`cron tick failed: ${(error as Error).message}`);
      }
    } while (this.again && !this.stopped);
    await this.armDueTimer().catch((error: unknown) => this.logger.error(`cron timer: ${(error as Error).message}`));
  }

  private async fireCron(cron: CronRecord, nowMs: number, report: TickReport): Promise<void> {
    if (cron.next_run_date === null) return;
    const { catchupWindowMs, misfireGraceMs } = this.config.crons;
    const plan = planFirings({ ...cron, next_run_date: cron.next_run_date }, nowMs, { catchupWindowMs, misfireGraceMs, maxSlots: MAX_SLOTS_PER_TICK });
    let expected: CronVersion = { cronId: cron.cron_id, nextRunDate: cron.next_run_date, updatedAt: cron.updated_at };
    // Counted by the one process whose write moves the cron past the missed slots: two schedulers that saw the same
    // downtime count it once.
    const countMissed = () => {
      if (plan.dropped === 0) return;
      this.metrics.cronMissed.inc(plan.dropped);
      this.logger.warn(`cron ${cron.cron_id}: ${plan.dropped} missed slot(s) not fired${plan.catchUp ? ' (one catch-up firing instead)' : ''}`);
    };
    if (plan.slots.length === 0) {
      if (await this.repository.advance({ expected, nextRunDate: iso(plan.nextRunMs), expire: plan.expired })) {
        report.skipped++;
        countMissed();
      }
      return;
    }
    for (const [index, slot] of plan.slots.entries()) {
      const last = index === plan.slots.length - 1;
      const nextRunDate = last ? iso(plan.nextRunMs) : iso(plan.slots[index + 1]);
      const scheduledAt = new Date(slot).toISOString();
      let run: CreateRunCommand | null = null;
      let error: string | null = null;
      try {
        // As its creator: the `threads:create_run` handler runs for them, and the graph gets them as langgraph_auth_user.
        run = await AuthContext.run(cron.auth_user, () => this.runs.prepare(cron.thread_id, this.runBody(cron, scheduledAt), firingIds(cron.cron_id, scheduledAt)));
        // Provenance lives in server-side columns only the scheduler writes; client metadata cannot claim it.
        run.cron = { cron_id: cron.cron_id, scheduled_at: scheduledAt };
      } catch (failure) {
        if (isTransientPrepareFailure(failure)) {
          report.deferred++;
          this.logger.warn(`cron ${cron.cron_id} at ${scheduledAt}: its run could not be prepared (${(failure as Error).message}); retrying at the next tick`);
          return;
        }
        error = (failure as Error).message;
        this.logger.warn(redactCredentials(`cron ${cron.cron_id} at ${scheduledAt}: its run was refused: ${error}`));
      }
      const firedMs = this.clock.now();
      const lagMs = Math.max(0, firedMs - slot);
      const result = await this.repository.fire({
        expected,
        scheduledAt,
        firedAt: new Date(firedMs).toISOString(),
        lagMs,
        catchUp: plan.catchUp,
        nextRunDate,
        expire: last && plan.expired,
        run,
        error,
      });
      // Another scheduler, a patch or a delete got there first: this process's view of the cron is stale.
      if (result.kind === 'duplicate') {
        report.duplicates++;
        this.metrics.cronDuplicates.inc();
      }
      if (result.kind === 'duplicate' && result.advanced) {
        // The slot had fired already; the cron now points at the next one, which may be due too.
        if (nextRunDate === null) return;
        expected = { ...expected, nextRunDate };
        continue;
      }
      if (result.kind !== 'fired') {
        if (result.kind === 'stale') report.stale++;
        return;
      }
      report.fired++;
      if (index === 0) countMissed();
      this.metrics.cronFired(lagMs);
      this.logger.log({
        msg: 'cron fired',
        cron_id: cron.cron_id,
        run_id: run?.run.run_id ?? null,
        thread_id: run?.run.thread_id ?? null,
        scheduled_at: scheduledAt,
        lag_ms: lagMs,
        catch_up: plan.catchUp,
      });
      if (result.run?.kind === 'created') this.runs.afterCreate(result.run);
      else if (result.run) this.logger.warn(`cron ${cron.cron_id} at ${scheduledAt}: no run (${result.run.kind})`);
      if (nextRunDate === null) return;
      expected = { ...expected, nextRunDate };
    }
  }

  /** The stored payload, as `POST /runs` would receive it, tagged with the firing. */
  private runBody(cron: CronRecord, scheduledAt: string): RunCreateStatelessDto {
    const payload = cron.payload as Partial<RunCreateStatelessDto>;
    return {
      ...payload,
      assistant_id: cron.assistant_id,
      metadata: { ...cron.metadata, cron_id: cron.cron_id, cron_scheduled_at: scheduledAt },
      multitask_strategy: payload.multitask_strategy ?? 'enqueue',
      on_completion: cron.on_run_completed === 'keep' ? 'keep' : 'delete',
    };
  }

  private async purge(nowMs: number): Promise<void> {
    this.lastPurgeMs = nowMs;
    const before = new Date(nowMs - this.config.crons.retentionMs).toISOString();
    try {
      const purged = await this.repository.purge(before, before);
      if (purged.crons > 0) this.logger.log(`purged ${purged.crons} cron(s) ended before ${before}`);
    } catch (error) {
      this.logger.error(`cron purge failed: ${(error as Error).message}`);
    }
  }

  /** Wakes exactly when the next cron is due, when that is sooner than the next tick. */
  private async armDueTimer(): Promise<void> {
    this.timers.clearDue();
    const due = await this.repository.nextDueAt();
    if (due === null || this.stopped) return;
    const now = this.clock.now();
    const delay = Date.parse(due) - now;
    // Already due means it failed this pass: leave it to the tick rather than spin.
    if (delay <= 0 || delay >= this.config.crons.tickMs) return;
    this.timers.armAt(Date.parse(due), now, () => this.wake());
  }
}
