import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { CountThreadsDto, CreateThreadDto, SearchThreadsDto, Thread } from '@runhook/contracts';
import { Clock } from '../common/clock';
import { uuid7 } from '../common/ids';
import { RunSignals } from '../common/run-signals';
import { CheckpointMaintenance } from '../graphs/checkpoint-maintenance';
import { GraphRegistry } from '../graphs/graph-registry.service';
import { RunsRepository } from '../runs/runs.repository';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service';
import { ThreadPage, ThreadsRepository } from './threads.repository';

@Injectable()
export class ThreadsService {
  constructor(
    private readonly repository: ThreadsRepository,
    private readonly runs: RunsRepository,
    private readonly checkpoints: CheckpointMaintenance,
    private readonly signals: RunSignals,
    private readonly clock: Clock,
    private readonly outbox: WebhookOutbox,
    private readonly graphs: GraphRegistry,
  ) {}

  /** Creates the thread; answers whether it was new, so supersteps are applied only then. */
  async create(body: CreateThreadDto): Promise<{ thread: Thread; created: boolean }> {
    const now = this.clock.isoNow();
    const metadata = { ...(body.metadata ?? {}) };
    const thread: Thread = {
      thread_id: body.thread_id?.toLowerCase() ?? uuid7(),
      created_at: now,
      updated_at: now,
      state_updated_at: now,
      metadata,
      status: 'idle',
      config: {},
      values: null,
      interrupts: {},
    };
    if (body.supersteps?.length && typeof metadata['graph_id'] !== 'string') {
      throw new UnprocessableEntityException({ detail: 'supersteps need metadata.graph_id to know which graph applies them' });
    }
    // Checked before the insert, so a refused body leaves no thread behind.
    if (body.supersteps?.length && !this.graphs.has(metadata['graph_id'] as string)) {
      throw new UnprocessableEntityException({ detail: `metadata.graph_id: graph "${String(metadata['graph_id'])}" is not registered` });
    }
    const created = await this.repository.insert(thread);
    if (created) return { thread: created, created: true };
    if (body.if_exists === 'do_nothing') return { thread: await this.get(thread.thread_id), created: false };
    throw new ConflictException({ detail: `Thread ${thread.thread_id} already exists` });
  }

  async get(threadId: string): Promise<Thread> {
    const thread = await this.repository.get(threadId);
    if (!thread) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    return thread;
  }

  async patch(threadId: string, metadata: Record<string, unknown> | undefined): Promise<Thread> {
    const thread = await this.repository.patchMetadata(threadId, metadata ?? {}, this.clock.isoNow());
    if (!thread) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    return thread;
  }

  /** Deleting a thread cancels its runs first, so no worker keeps writing checkpoints for it. */
  async delete(threadId: string): Promise<void> {
    const cancelled = await this.runs.cancel({ threadId, action: 'interrupt', now: this.clock.isoNow(), webhookFor: this.outbox.forRunEnd });
    for (const run of cancelled) if (run.wasRunning) this.signals.cancel(run.run_id, 'interrupt');
    if (cancelled.some((run) => !run.wasRunning)) this.outbox.notify();
    if (!(await this.repository.delete(threadId))) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    await this.checkpoints.deleteThread(threadId);
  }

  search(body: SearchThreadsDto): Promise<ThreadPage> {
    return this.repository.search(
      { ids: body.ids, metadata: body.metadata, status: body.status, values: body.values },
      { limit: body.limit ?? 10, offset: body.offset ?? 0, sortBy: body.sort_by ?? 'created_at', sortOrder: body.sort_order ?? 'desc' },
    );
  }

  count(body: CountThreadsDto): Promise<number> {
    return this.repository.count({ metadata: body.metadata, status: body.status, values: body.values });
  }

  /** A new thread with the same metadata and the whole checkpoint history. */
  async copy(threadId: string): Promise<Thread> {
    const source = await this.repository.get(threadId);
    if (!source) throw new ConflictException({ detail: `Thread ${threadId} not found` });
    const now = this.clock.isoNow();
    const copy: Thread = {
      ...source,
      thread_id: uuid7(),
      created_at: now,
      updated_at: now,
      state_updated_at: now,
      status: source.status === 'busy' ? 'idle' : source.status,
    };
    await this.repository.insert(copy);
    await this.checkpoints.copyThread(threadId, copy.thread_id);
    return copy;
  }
}
