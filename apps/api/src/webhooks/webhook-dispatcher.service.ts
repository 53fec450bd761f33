import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { redactCredentials } from '@runhook/webhooks';
import { BackgroundTimers } from '../common/background-timers';
import { Clock } from '../common/clock';
import { uuid4 } from '../common/ids';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { type ClaimedDelivery, type ClaimRequest, DeliveriesRepository, type DeliveryCompletion } from './deliveries.repository';
import { EndpointGates } from './endpoint-gate';
import { WebhookAttempts } from './webhook-attempts';
import { WebhookOutbox } from './webhook-outbox.service';
import { WebhookSender } from './webhook-sender';
import { RunhookMetrics } from '../observability/runhook-metrics';

const PURGE_EVERY_MS = 3_600_000;
const PURGE_BATCH = 1_000;
/** Outcomes held back while a backlog waits for slots are written once this many have gathered... */
const OUTCOME_BATCH = 32;
/** ...or after this long, whichever comes first. */
const OUTCOME_DELAY_MS = 2;

/**
 * The worker side of the outbox. Claims due deliveries under a lease (woken in-process the moment a run end
 * commits; a slow poll covers other processes, restarts and expired leases), sends each with bounded concurrency
 * overall and per endpoint, and records every attempt. Completions are written in batches, in one transaction with
 * the next claim (held back a little while a backlog waits for slots; see `afterSend`), which keeps SQLite off the
 * hot path. The claim loop never waits for the disk: a claimed delivery waits for `untilDurable()` on its own before
 * it is sent, and waiters hear of an outcome once it is on disk, so one sync serves a run's end, the claim of its
 * webhook and the outcomes written meanwhile.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  readonly owner = uuid4();
  private readonly inFlight = new Map<string, { endpoint: string; done: Promise<void> }>();
  private readonly gates = new EndpointGates();
  private readonly waiters = new Map<string, (() => void)[]>();
  private completions: DeliveryCompletion[] = [];
  /** Claimed deliveries waiting for a send slot of their endpoint. */
  private waitingForSlot = 0;
  private heldBack: NodeJS.Timeout | null = null;
  /** Recorded outcomes whose commit is not yet known to be on disk (their waiters are told after). */
  private readonly syncing = new Set<Promise<void>>();
  private cycling: Promise<void> | null = null;
  private cycleAgain = false;
  private stopped = true;
  /** Fires when shutdown hands the deliveries still in flight back to the queue: their sends stop. */
  private readonly handBack = new AbortController();
  private readonly timers = new BackgroundTimers(this.logger);
  private readonly attempts: WebhookAttempts;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly outbox: WebhookOutbox,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    private readonly metrics: RunhookMetrics,
  ) {
    this.attempts = new WebhookAttempts(config, sender, clock, metrics, this.owner, this.logger);
  }

  get enabled(): boolean {
    return this.config.roles.has('worker');
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.start();
  }

  start(): void {
    this.stopped = false;
    this.outbox.onWritten(() => this.wake());
    const { pollMs } = this.config.webhooks;
    this.timers.every(pollMs, async () => {
      await this.reclaimExpired();
      this.wake();
    });
    this.timers.every(PURGE_EVERY_MS, () => this.purge());
    this.reclaimExpired()
      .catch((error: unknown) => this.logger.error(`re-queueing abandoned deliveries failed: ${(error as Error).message}`))
      .finally(() => this.wake());
    this.purge().catch((error: unknown) => this.logger.error(`purging deliveries failed: ${(error as Error).message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.timers.stop();
    this.stopHoldingBack();
    const inFlight = Promise.all([...this.inFlight.values()].map((entry) => entry.done));
    // What does not finish in time stays leased and is sent again after the lease ends: at least once.
    await Promise.race([inFlight, new Promise((resolve) => setTimeout(resolve, Math.min(this.config.webhooks.timeoutMs, 10_000)).unref())]);
    await this.flush();
    await this.sender.close();
  }

  /** Shutdown begins: nothing more is claimed; sends in flight go on, and their outcomes are still recorded. */
  stopClaiming(): void {
    this.stopped = true;
  }

  /**
   * Shutdown: lets the sends in flight finish until `graceOver` and records their outcomes; the rest are stopped,
   * their outcomes dropped (no attempt counted), and their rows handed back, due now, for another process to send.
   * Answers how many were handed back.
   */
  async drain(graceOver: Promise<void>): Promise<{ released: number }> {
    this.stopClaiming();
    // A claim that began before the stop may still bring deliveries: they are in flight too.
    if (this.cycling) await this.cycling;
    const inFlight = Promise.all([...this.inFlight.values()].map((entry) => entry.done));
    await Promise.race([inFlight, graceOver]);
    if (this.inFlight.size > 0) {
      this.handBack.abort();
      await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
    }
    await this.flush();
    return { released: await this.deliveries.releaseLeases(this.owner, this.clock.now()) };
  }

  /**
   * Asks for a cycle soon: record the outcomes that came in, then claim what is due. Calls made meanwhile
   * coalesce into one more cycle, so a busy process does one write and one claim per event-loop turn.
   */
  wake(): void {
    if (this.cycling) {
      this.cycleAgain = true;
      return;
    }
    this.cycling = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.cycle());
  }

  /** Resolves once an attempt of the delivery has been recorded, or after `timeoutMs`. */
  waitForAttempt(deliveryId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const list = this.waiters.get(deliveryId) ?? [];
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      // On timeout the waiter leaves the map: an attempt that never comes (sent elsewhere) must not pin it.
      const timer = setTimeout(() => {
        const index = list.indexOf(done);
        if (index >= 0) list.splice(index, 1);
        if (list.length === 0 && this.waiters.get(deliveryId) === list) this.waiters.delete(deliveryId);
        resolve();
      }, timeoutMs);
      timer.unref();
      list.push(done);
      this.waiters.set(deliveryId, list);
    });
  }

  /** Waiters held for attempts not yet recorded (an empty list still counts: it is held too). */
  get waiterCount(): number {
    let count = 0;
    for (const list of this.waiters.values()) count += Math.max(list.length, 1);
    return count;
  }

  /** Resolves when nothing is in flight and every outcome is written (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.completions.length > 0 || this.cycling || this.syncing.size > 0) {
      await Promise.all([...this.inFlight.values()].map((entry) => entry.done));
      await this.flush();
    }
  }

  private async cycle(): Promise<void> {
    this.stopHoldingBack();
    try {
      do {
        this.cycleAgain = false;
        // The outcomes that came in are written with the cycle's first claim, in one transaction.
        const batch = this.takeCompletions();
        if (this.stopped) await this.writeCompletions(batch);
        else await this.claimDue(batch);
      } while (this.cycleAgain);
    } finally {
      this.cycling = null;
    }
  }

  private async claimDue(batch: DeliveryCompletion[]): Promise<void> {
    let more = true;
    let unrecorded = batch;
    try {
      while (more && !this.stopped) {
        const { maxConcurrency, maxPerEndpoint, leaseMs } = this.config.webhooks;
        const free = maxConcurrency - this.inFlight.size;
        if (free <= 0) break;
        const now = this.clock.now();
        const request: ClaimRequest = {
          owner: this.owner,
          nowMs: now,
          leaseUntilMs: now + leaseMs,
          limit: free,
          perEndpoint: maxPerEndpoint,
          ahead: this.gates.leaseAhead(maxPerEndpoint),
        };
        const recording = unrecorded;
        unrecorded = [];
        const claimed = recording.length === 0 ? await this.deliveries.claim(request) : await this.recordAndClaim(recording, request);
        if (claimed.length > 0) {
          // One wait for the disk per claim, shared by its deliveries (and with the commits around it).
          const durable = this.deliveries.untilDurable();
          for (const delivery of claimed) this.launch(delivery, durable, now + leaseMs);
        }
        more = claimed.length === free;
      }
      await this.armDueTimer();
    } catch (error) {
      this.logger.error(redactCredentials(`claiming webhook deliveries failed: ${(error as Error).message}`));
    }
    // A claim loop that never ran (all slots busy) still writes what came in.
    await this.writeCompletions(unrecorded);
  }

  /** Writes the outcomes and claims in one transaction; outcomes that could not be written are dealt with as such. */
  private async recordAndClaim(batch: DeliveryCompletion[], request: ClaimRequest): Promise<ClaimedDelivery[]> {
    try {
      const claimed = await this.deliveries.completeAndClaim(batch, request);
      this.afterRecorded(batch);
      return claimed;
    } catch (error) {
      this.recordingFailed(batch, error);
      throw error;
    }
  }

  /**
   * After a send. While a backlog of claimed deliveries waits for slots, a cycle per send wrote an outcome or two and
   * leased as many rows, each time in a transaction of its own (5,400 claims for a drain of 20,000; 1,700 now). So the
   * outcomes wait, their rows still leased, until the backlog runs low, a batch has gathered or a short timer ends, and
   * go in with one larger claim.
   */
  private afterSend(): void {
    const backlog = this.waitingForSlot >= this.config.webhooks.maxPerEndpoint;
    if (this.stopped || !backlog || this.completions.length >= OUTCOME_BATCH) {
      this.wake();
      return;
    }
    if (this.heldBack) return;
    this.heldBack = setTimeout(() => {
      this.heldBack = null;
      this.wake();
    }, OUTCOME_DELAY_MS);
    this.heldBack.unref();
  }

  private stopHoldingBack(): void {
    if (!this.heldBack) return;
    clearTimeout(this.heldBack);
    this.heldBack = null;
  }

  /**
   * A claimed delivery waits for the disk, then for a send slot of its endpoint (for a quick endpoint the claim leases
   * up to AHEAD_PER_SEND_SLOT times as many again as may be sent, so the next ones are claimed and synced while the
   * slots are busy), then is sent.
   */
  private launch(delivery: ClaimedDelivery, durable: Promise<void>, leaseUntilMs: number): void {
    const gate = this.gates.forEndpoint(delivery.endpoint);
    gate.hold(delivery.send_limit);
    this.waitingForSlot += 1;
    let waiting = true;
    const slotReached = (): void => {
      if (!waiting) return;
      waiting = false;
      this.waitingForSlot -= 1;
    };
    // Nobody hears of a run end, nor of a claim, before it is on disk; a failed sync ends like a crashed attempt.
    const done = durable
      .then(() => gate.acquire())
      .then(async (slot) => {
        slotReached();
        try {
          return await this.attemptWithinLease(delivery, leaseUntilMs);
        } finally {
          slot.close();
        }
      })
      .then(
        (completion) => {
          // The slot frees at once; the row stays leased until the outcome is written, so nobody claims it meanwhile.
          if (completion) this.completions.push(completion);
          this.release(delivery.delivery_id);
          this.afterSend();
        },
        (error: unknown) => {
          // Its lease runs out and it is claimed again; this process just frees the slot.
          slotReached();
          this.logger.error(redactCredentials(`webhook delivery ${delivery.delivery_id} attempt crashed: ${(error as Error).stack}`));
          this.release(delivery.delivery_id);
          this.wake();
        },
      );
    this.inFlight.set(delivery.delivery_id, { endpoint: delivery.endpoint, done });
  }

  /**
   * A delivery that queued for its slot so long that a send might outlast its lease is not sent, since another
   * process could claim it meanwhile: it is handed back, due now, with no attempt counted, and claimed afresh.
   */
  private async attemptWithinLease(delivery: ClaimedDelivery, leaseUntilMs: number): Promise<DeliveryCompletion | null> {
    const now = this.clock.now();
    if (now + this.config.webhooks.timeoutMs < leaseUntilMs) return this.attempts.make(delivery, this.handBack.signal);
    this.logger.warn(`webhook delivery ${delivery.delivery_id} waited for a slot to ${delivery.endpoint} too long to be sent within its lease; handed back`);
    await this.deliveries.releaseLeases(this.owner, now, [delivery.delivery_id]);
    return null;
  }

  private async flush(): Promise<void> {
    if (this.cycling) await this.cycling;
    await this.writeCompletions(this.takeCompletions());
    await Promise.all(this.syncing);
  }

  private takeCompletions(): DeliveryCompletion[] {
    const batch = this.completions;
    this.completions = [];
    return batch;
  }

  private async writeCompletions(batch: DeliveryCompletion[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.deliveries.complete(batch);
    } catch (error) {
      this.recordingFailed(batch, error);
      return;
    }
    this.afterRecorded(batch);
  }

  private recordingFailed(batch: DeliveryCompletion[], error: unknown): void {
    // The rows stay leased; once the lease ends they are claimed and sent again.
    this.logger.error(redactCredentials(`recording ${batch.length} webhook attempt(s) failed: ${(error as Error).message}`));
    this.tellWaiters(batch);
  }

  /** Waiters hear of the outcomes once they are on disk; the next claim goes on meanwhile. */
  private afterRecorded(batch: DeliveryCompletion[]): void {
    // A delivery the next claim sends waits for this same sync first.
    const synced: Promise<void> = this.deliveries
      .untilDurable()
      .catch((error: unknown) => this.logger.error(`syncing ${batch.length} recorded webhook attempt(s) failed: ${(error as Error).message}`))
      .finally(() => {
        this.syncing.delete(synced);
        this.tellWaiters(batch);
      });
    this.syncing.add(synced);
  }

  private tellWaiters(batch: DeliveryCompletion[]): void {
    for (const { delivery_id } of batch) {
      const waiting = this.waiters.get(delivery_id);
      this.waiters.delete(delivery_id);
      for (const resolve of waiting ?? []) resolve();
    }
  }

  private release(deliveryId: string): void {
    const entry = this.inFlight.get(deliveryId);
    if (!entry) return;
    this.inFlight.delete(deliveryId);
    this.gates.unhold(entry.endpoint);
  }

  /** A retry due later gets a timer for its moment; the slow poll is only the safety net. */
  private async armDueTimer(): Promise<void> {
    const now = this.clock.now();
    const due = await this.deliveries.nextDueAt(now);
    this.timers.armAt(this.stopped ? null : due, now, () => this.wake());
  }

  private async reclaimExpired(): Promise<void> {
    const count = await this.deliveries.reclaimExpired(this.clock.now());
    if (count > 0) this.logger.warn(`re-queued ${count} webhook delivery(ies) whose dispatcher stopped before recording an outcome`);
  }

  private async purge(): Promise<void> {
    const before = this.clock.now() - this.config.webhooks.retentionDays * 86_400_000;
    for (let round = 0; round < 100; round += 1) {
      if ((await this.deliveries.purge(before, PURGE_BATCH)) < PURGE_BATCH) return;
    }
  }

}
