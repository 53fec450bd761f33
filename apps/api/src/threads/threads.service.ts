import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { CountThreadsDto, CreateThreadDto, SearchThreadsDto, Thread } from '@runhook/contracts';
import { matchesFilters, narrowMetadata } from '../auth/auth-filters';
import { AuthService } from '../auth/auth.service';
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
    private readonly auth: AuthService,
    private readonly graphs: GraphRegistry,
  ) {}

  /** Creates the thread; answers whether it was new, so supersteps are applied only then. */
  async create(body: CreateThreadDto): Promise<{ thread: Thread; created: boolean }> {
    const now = this.clock.isoNow();
    const authorized = await this.auth.authorize('threads', 'create', { ...body, metadata: { ...(body.metadata ?? {}) } });
    const metadata = { ...(authorized.value.metadata ?? {}) };
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
    const existing = body.if_exists === 'do_nothing' ? await this.repository.get(thread.thread_id) : null;
    // Another user's thread under that id is a conflict, never a way to read it.
    if (existing && matchesFilters(existing.metadata, authorized.filters)) return { thread: existing, created: false };
    throw new ConflictException({ detail: `Thread ${thread.thread_id} already exists` });
  }

  async get(threadId: string): Promise<Thread> {
    const { filters } = await this.auth.authorize('threads', 'read', { thread_id: threadId });
    const thread = await this.repository.get(threadId);
    if (!thread || !matchesFilters(thread.metadata, filters)) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    return thread;
  }

  async patch(threadId: string, metadata: Record<string, unknown> | undefined): Promise<Thread> {
    const allowed = await this.auth.authorizeOne('threads', 'update', { thread_id: threadId, metadata: { ...(metadata ?? {}) } }, async () => (await this.repository.get(threadId))?.metadata, `Thread ${threadId} not found`);
    const thread = await this.repository.patchMetadata(threadId, allowed.metadata, this.clock.isoNow());
    if (!thread) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    return thread;
  }

  /** Deleting a thread cancels its runs first, so no worker keeps writing checkpoints for it. */
  async delete(threadId: string): Promise<void> {
    await this.auth.authorizeOne('threads', 'delete', { thread_id: threadId }, async () => (await this.repository.get(threadId))?.metadata, `Thread ${threadId} not found`);
    const cancelled = await this.runs.cancel({ threadId, action: 'interrupt', now: this.clock.isoNow(), webhookFor: this.outbox.forRunEnd });
    for (const run of cancelled) if (run.wasRunning) this.signals.cancel(run.run_id, 'interrupt');
    if (cancelled.some((run) => !run.wasRunning)) this.outbox.notify();
    if (!(await this.repository.delete(threadId))) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    await this.checkpoints.deleteThread(threadId);
  }

  async search(body: SearchThreadsDto): Promise<ThreadPage> {
    const metadata = await this.searchableMetadata(body);
    if (metadata === null) return { items: [], total: 0 };
    return this.repository.search(
      { ids: body.ids, metadata, status: body.status, values: body.values },
      { limit: body.limit ?? 10, offset: body.offset ?? 0, sortBy: body.sort_by ?? 'created_at', sortOrder: body.sort_order ?? 'desc' },
    );
  }

  async count(body: CountThreadsDto): Promise<number> {
    const metadata = await this.searchableMetadata(body);
    if (metadata === null) return 0;
    return this.repository.count({ metadata, status: body.status, values: body.values });
  }

  /** The caller's metadata filter narrowed by the auth filters; null when nothing can match both. */
  private async searchableMetadata(body: CountThreadsDto): Promise<Record<string, unknown> | undefined | null> {
    const { value, filters } = await this.auth.authorize('threads', 'search', { ...body });
    return narrowMetadata(value.metadata, filters);
  }

  /** A new thread with the same metadata and the whole checkpoint history. */
  async copy(threadId: string): Promise<Thread> {
    const { filters } = await this.auth.authorize('threads', 'read', { thread_id: threadId });
    const source = await this.repository.get(threadId);
    if (!source || !matchesFilters(source.metadata, filters)) throw new ConflictException({ detail: `Thread ${threadId} not found` });
    const copyId = uuid7();
    // A copy is a new thread: the caller needs the right to create one, and the handler stamps it as its own.
    const { value } = await this.auth.authorize('threads', 'create', { thread_id: copyId, metadata: { ...source.metadata } });
    const now = this.clock.isoNow();
    const copy: Thread = {
      ...source,
      metadata: value.metadata,
      thread_id: copyId,
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
