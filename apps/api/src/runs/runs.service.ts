import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { Run, RunCreateStatelessDto } from '@runhook/contracts';
import { AssistantsService } from '../assistants/assistants.service';
import { AuthContext } from '../auth/auth-context';
import { matchesFilters } from '../auth/auth-filters';
import { AuthService } from '../auth/auth.service';
import { withAuthUser } from '../auth/run-auth';
import { Clock } from '../common/clock';
import { uuid7 } from '../common/ids';
import { RunSignals } from '../common/run-signals';
import { StreamBroker } from '../streaming/stream-broker';
import { ThreadsRepository } from '../threads/threads.repository';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service';
import { WebhookUrlValidator } from '../webhooks/webhook-url.validator';
import { buildRunKwargs } from './run-kwargs';
import type { CancelAction, CreateRunCommand, CreateRunResult } from './run-record';
import { RunhookMetrics } from '../observability/runhook-metrics';
import { RunsRepository } from './runs.repository';

const BUSY_DETAIL = 'Thread is already running a task. Wait for it to finish or choose a different multitask strategy.';

function isKeep(onCompletion: string | undefined): boolean {
  return onCompletion === 'keep' || onCompletion === 'continue';
}

/** The rules of run creation and cancellation, shared by every run endpoint (and crons). */
@Injectable()
export class RunsService {
  constructor(
    private readonly assistants: AssistantsService,
    private readonly threads: ThreadsRepository,
    private readonly runs: RunsRepository,
    private readonly broker: StreamBroker,
    private readonly signals: RunSignals,
    private readonly clock: Clock,
    private readonly webhookUrls: WebhookUrlValidator,
    private readonly outbox: WebhookOutbox,
    private readonly auth: AuthService,
    private readonly metrics: RunhookMetrics,
  ) {}

  /** `threadId` null makes a stateless run on a new thread, deleted afterwards unless kept. */
  async create(threadId: string | null, body: RunCreateStatelessDto, options: { bufferEvents?: boolean } = {}): Promise<Run> {
    const command = await this.prepare(threadId, body);
    const { run } = command;
    // Open the channel first: a client streaming this run must not miss its first event.
    this.broker.open(run.run_id, { keepEvents: run.kwargs.resumable || options.bufferEvents === true });
    const result = await this.runs.createRun(command).catch((error: unknown) => {
      this.broker.finish(run.run_id, { status: 'error', output: null });
      throw error;
    });
    if (result.kind !== 'created') {
      this.broker.finish(run.run_id, { status: 'error', output: null });
      if (result.kind === 'conflict') throw new ConflictException({ detail: BUSY_DETAIL });
      throw new NotFoundException({ detail: `Thread ${run.thread_id} not found` });
    }
    return this.afterCreate(result);
  }

  /**
   * Every rule of run creation short of writing it: checks the body, resolves the assistant and builds
   * the run. Crons call it too and write the run inside their firing transaction, so rules live here once.
   * `ids` fixes the run id and a stateless run's new thread id (a cron derives them from its firing).
   */
  async prepare(threadId: string | null, body: RunCreateStatelessDto, ids: { runId?: string; newThreadId?: string } = {}): Promise<CreateRunCommand> {
    this.assertConsistent(threadId, body);
    if (body.webhook) await this.webhookUrls.assertAllowed(body.webhook);
    const assistant = await this.assistants.getRunnable(body.assistant_id);
    const nowMs = this.clock.now();
    const now = new Date(nowMs).toISOString();
    const runId = ids.runId ?? uuid7(nowMs);
    const targetThread = threadId ?? ids.newThreadId ?? uuid7(nowMs);
    const existing = threadId ? await this.threads.getHead(threadId) : null;
    const temporary = threadId === null && !isKeep(body.on_completion);
    const built = buildRunKwargs(body, {
      runId,
      threadId: targetThread,
      assistant,
      threadConfig: existing?.config ?? {},
      temporary,
    });
    const kwargs = { ...built, config: withAuthUser(built.config, AuthContext.current()) };
    const authorized = await this.auth.authorize('threads', 'create_run', {
      thread_id: threadId,
      assistant_id: assistant.assistant_id,
      run_id: runId,
      status: 'pending' as const,
      metadata: { ...(body.metadata ?? {}) },
      multitask_strategy: body.multitask_strategy ?? 'enqueue',
      if_not_exists: body.if_not_exists ?? 'reject',
      after_seconds: body.after_seconds ?? 0,
      kwargs,
    });
    // Another user's thread is answered as missing.
    if (existing && !matchesFilters(existing.metadata, authorized.filters)) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    const runMetadata = authorized.value.metadata;
    const createdAt = body.after_seconds ? new Date(nowMs + body.after_seconds * 1000).toISOString() : now;
    const run: Run = {
      run_id: runId,
      thread_id: targetThread,
      assistant_id: assistant.assistant_id,
      created_at: createdAt,
      updated_at: now,
      status: 'pending',
      metadata: runMetadata,
      multitask_strategy: body.multitask_strategy ?? 'enqueue',
      kwargs,
    };
    // A thread the run creates carries what the handler stamped (its owner), or its creator could not see it.
    const threadMetadata = { ...(authorized.handled ? runMetadata : {}), graph_id: assistant.graph_id, assistant_id: assistant.assistant_id };
    const createThread = threadId === null || body.if_not_exists === 'create';
    return {
      run,
      threadToCreate: createThread
        ? {
            thread_id: targetThread,
            created_at: now,
            updated_at: now,
            state_updated_at: now,
            metadata: threadMetadata,
            status: 'idle',
            config: {},
            values: null,
            interrupts: {},
          }
        : null,
      threadMetadata,
      multitaskStrategy: run.multitask_strategy,
      now,
      webhookFor: this.outbox.forRunEnd,
    };
  }

  /** What follows a committed creation: stop the runs its multitask strategy cancelled, wake the workers. */
  afterCreate(result: Extract<CreateRunResult, { kind: 'created' }>): Run {
    this.metrics.runsCreated.inc();
    for (const cancelled of result.cancelled) {
      if (cancelled.wasRunning) this.signals.cancel(cancelled.run_id, cancelled.action);
      else this.endPending(cancelled.run_id);
    }
    // Pending runs it cancelled ended in the same transaction, deliveries included.
    if (result.cancelled.some((cancelled) => !cancelled.wasRunning)) this.outbox.notify();
    this.signals.wake();
    return result.run;
  }

  async get(threadId: string | null, runId: string) {
    const run = await this.runs.get(runId);
    if (!run || (threadId !== null && run.thread_id !== threadId)) throw new NotFoundException({ detail: 'Run not found' });
    // A run is seen (joined, cancelled, deleted) by those who may read its thread.
    await this.auth.authorizeOne('threads', 'read', { thread_id: run.thread_id }, async () => (await this.threads.get(run.thread_id))?.metadata, 'Run not found');
    return run;
  }

  async list(threadId: string, options: { limit: number; offset: number; status?: Run['status'] }): Promise<Run[]> {
    const { filters } = await this.auth.authorize('threads', 'read', { thread_id: threadId });
    const thread = await this.threads.get(threadId);
    if (!thread || !matchesFilters(thread.metadata, filters)) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    return this.runs.list(threadId, options);
  }

  async delete(threadId: string, runId: string): Promise<void> {
    const run = await this.get(threadId, runId);
    if (run.status === 'pending' || run.status === 'running') await this.cancel(threadId, runId, 'interrupt');
    await this.runs.delete(runId);
  }

  async cancel(threadId: string | null, runId: string, action: CancelAction): Promise<void> {
    const run = await this.get(threadId, runId);
    // Cancelling a run that has already ended changes nothing and is answered as accepted, as the reference does:
    // a client racing the run's end (or retrying a cancel) gets no error for a run that is stopped either way.
    if (run.status !== 'pending' && run.status !== 'running') return;
    await this.cancelMany({ runIds: [runId], action });
  }

  async cancelMany(filter: { runIds?: string[]; threadId?: string; status?: 'pending' | 'running' | 'all'; action: CancelAction }): Promise<void> {
    const cancelled = await this.runs.cancel({ ...filter, now: this.clock.isoNow(), webhookFor: this.outbox.forRunEnd });
    for (const run of cancelled) {
      if (run.wasRunning) this.signals.cancel(run.run_id, run.action);
      else this.endPending(run.run_id);
    }
    if (cancelled.some((run) => !run.wasRunning)) this.outbox.notify();
    if (cancelled.length > 0) this.signals.wake();
  }

  private assertConsistent(threadId: string | null, body: RunCreateStatelessDto): void {
    if (threadId === null && body.command?.resume !== undefined) {
      throw new BadRequestException({ detail: 'You must provide a thread_id when resuming.' });
    }
    const configurable = body.config?.configurable;
    if (configurable && Object.keys(configurable).length > 0 && body.context && Object.keys(body.context).length > 0) {
      throw new BadRequestException({ detail: 'Cannot specify both configurable and context. Use context only.' });
    }
  }

  /** A pending run ended by a cancel: its clients here and on other replicas learn it now. */
  private endPending(runId: string): void {
    this.metrics.runEnded('interrupted', null, this.clock.now());
    this.broker.finish(runId, { status: 'interrupted', output: null });
    this.signals.ended(runId);
  }
}
