import { Injectable, Logger, NotFoundException, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { PruneStrategy, Thread, ThreadTtl } from '@runhook/contracts';
import { BackgroundTimers } from '../common/background-timers';
import { Clock } from '../common/clock';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { CheckpointMaintenance } from '../graphs/checkpoint-maintenance';
import { expiryOf, parseThreadTtl } from './thread-ttl';
import { ThreadTtlRepository } from './thread-ttl.repository';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

/** Threads swept in one pass; a backlog is worked off over the following passes. */
const SWEEP_BATCH = 100;

/** A thread's life beyond its row: TTL and its sweeper, pruning, deletion with an assistant. */
@Injectable()
export class ThreadLifecycleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ThreadLifecycleService.name);
  private readonly timers = new BackgroundTimers(this.logger);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly threads: ThreadsService,
    private readonly repository: ThreadsRepository,
    private readonly ttls: ThreadTtlRepository,
    private readonly checkpoints: CheckpointMaintenance,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    // One sweeper per deployment role that keeps schedules; a forked worker has none.
    if (!this.config.roles.has('scheduler') || this.config.worker.isForkedWorker) return;
    this.timers.every(this.config.threads.ttlSweepMs, () => this.sweep().then(() => undefined));
  }

  onApplicationShutdown(): void {
    this.timers.stop();
  }

  /** Checks the `ttl` of a create or PATCH before anything is written (422 naming the field). */
  parseTtl(ttl: unknown): ThreadTtl | null | undefined {
    return parseThreadTtl(ttl, this.clock.now());
  }

  /** Sets a parsed TTL (undefined: leaves it as it is). */
  async setTtl(threadId: string, ttl: ThreadTtl | null | undefined): Promise<void> {
    if (ttl === undefined) return;
    if (!(await this.ttls.set(threadId, ttl))) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
  }

  /** Adds `ttl` (null when none) to each thread. */
  async withTtl<T extends Thread>(threads: T[]): Promise<T[]> {
    const ttls = await this.ttls.getMany(threads.map((thread) => thread.thread_id));
    return threads.map((thread) => ({ ...thread, ttl: ttls.get(thread.thread_id) ?? null }));
  }

  /** `delete` removes the threads; `keep_latest` keeps each one's newest checkpoint only. Unknown ids are skipped. */
  async prune(threadIds: string[], strategy: PruneStrategy = 'delete'): Promise<{ pruned_count: number }> {
    let pruned = 0;
    for (const threadId of new Set(threadIds.map((id) => id.toLowerCase()))) {
      if (await this.pruneOne(threadId, strategy)) pruned += 1;
    }
    return { pruned_count: pruned };
  }

  /** `DELETE /assistants/{id}?delete_threads=true`: the threads whose metadata names the assistant. */
  async deleteThreadsOf(assistantId: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const page = await this.repository.search({ metadata: { assistant_id: assistantId } }, { limit: 100, offset: 0, sortBy: 'created_at', sortOrder: 'asc' });
      if (page.items.length === 0) return deleted;
      for (const thread of page.items) if (await this.pruneOne(thread.thread_id, 'delete')) deleted += 1;
    }
  }

  /** One sweeper pass: expired threads are deleted, or pruned and given a new term. Answers how many. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const due = await this.ttls.listDue(new Date(now).toISOString(), SWEEP_BATCH);
    for (const thread of due) {
      await this.pruneOne(thread.thread_id, thread.strategy);
      if (thread.strategy === 'keep_latest') await this.ttls.set(thread.thread_id, { ...thread, expires_at: expiryOf(thread.ttl, now) });
    }
    if (due.length > 0) this.logger.log(`swept ${due.length} expired thread(s)`);
    return due.length;
  }

  private async pruneOne(threadId: string, strategy: PruneStrategy): Promise<boolean> {
    if (strategy === 'keep_latest') {
      if (!(await this.repository.get(threadId))) return false;
      await this.checkpoints.keepLatest(threadId);
      return true;
    }
    try {
      await this.threads.delete(threadId);
      return true;
    } catch (error) {
      // Gone already (another replica's sweep, a concurrent delete): nothing left to prune.
      if (error instanceof NotFoundException) return false;
      throw error;
    }
  }
}
