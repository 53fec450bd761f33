import { ConflictException, Injectable, Logger, NotFoundException, type OnModuleDestroy } from '@nestjs/common';
import type { Interrupt, Run, RunCreateStatelessDto, StreamMode, Thread } from '@runhook/contracts';
import type { Response } from 'express';
import { Clock } from '../common/clock';
import { uuid7 } from '../common/ids';
import { unprocessable } from '../common/validation';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { RunResponder } from '../runs/run-responder.service';
import { RunsRepository } from '../runs/runs.repository';
import { RunsService } from '../runs/runs.service';
import { OpenStreams } from '../streaming/open-streams';
import { SseWriter } from '../streaming/sse-writer';
import { ThreadStateService } from '../threads/thread-state.service';
import { ThreadsRepository } from '../threads/threads.repository';
import { ThreadsService } from '../threads/threads.service';
import {
  type InputRespondParams,
  parseCommand,
  parseEventFilter,
  parseInputRespond,
  parseRunStart,
  parseStateKeys,
  parseSubscriptionId,
  type RunStartParams,
  validatedRunBody,
} from './command-params';
import { ProtocolThread } from './protocol-thread';
import type { ProtocolCommand, ProtocolEvent, ProtocolSuccess } from './protocol-types';
import { RunEventTranslator } from './run-event-translator';

/** What a protocol run streams: every mode a protocol channel is made from. */
const PROTOCOL_STREAM_MODES: StreamMode[] = ['values', 'updates', 'messages-tuple', 'custom', 'tasks', 'checkpoints'];
/** A thread nobody streams and nothing runs on is forgotten after this (its runs and state stay in the database). */
const IDLE_FORGET_MS = 10 * 60_000;

function pendingInterrupts(thread: Thread | null): Interrupt[] {
  return Object.values(thread?.interrupts ?? {}).flat();
}

/**
 * The thread protocol of `client.threads.stream(...)`: commands (`run.start`, `input.respond`, `state.get`,
 * subscriptions) and filtered event streams over one thread. Runs are ordinary Runhook runs made by `RunsService`
 * (auth, multitask strategies, webhooks as on `/threads/{id}/runs`), followed through `RunResponder` like any run
 * stream (this process's broker, forked workers, other replicas through the database), and translated into
 * protocol events numbered per thread.
 */
@Injectable()
export class ThreadProtocolService implements OnModuleDestroy {
  private readonly logger = new Logger(ThreadProtocolService.name);
  private readonly threads = new Map<string, ProtocolThread>();
  private readonly forgetTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly runs: RunsService,
    private readonly runRows: RunsRepository,
    private readonly responder: RunResponder,
    private readonly threadsService: ThreadsService,
    private readonly threadRows: ThreadsRepository,
    private readonly state: ThreadStateService,
    private readonly clock: Clock,
    private readonly streams: OpenStreams,
  ) {}

  onModuleDestroy(): void {
    for (const timer of this.forgetTimers.values()) clearTimeout(timer);
    this.forgetTimers.clear();
  }

  async command(threadId: string, body: unknown): Promise<ProtocolSuccess> {
    const command = parseCommand(body);
    switch (command.method) {
      case 'run.start':
        return this.runStart(threadId, command, parseRunStart(command.params));
      case 'input.respond':
        return this.inputRespond(threadId, command, parseInputRespond(command.params));
      case 'state.get':
        return this.stateGet(threadId, command);
      case 'subscription.subscribe':
        return this.subscribe(threadId, command);
      case 'subscription.unsubscribe':
        return this.unsubscribe(threadId, command);
      case 'agent.getTree':
        return this.agentTree(threadId, command);
      default:
        throw unprocessable(
          `method: unknown command "${command.method}" (run.start, input.respond, state.get, subscription.subscribe, subscription.unsubscribe, agent.getTree)`,
        );
    }
  }

  /** `POST /threads/{id}/stream/events`: the thread's events the filter selects, replayed then live, until the client leaves. */
  async openEventStream(threadId: string, body: unknown, response: Response): Promise<void> {
    const filter = parseEventFilter(body, 'body');
    await this.threadsService.get(threadId);
    const record = this.record(threadId);
    // A run this process did not start (another replica's, or before a restart) is still followed.
    if (record.runs.length === 0) await this.bindActiveRuns(record);
    const { heartbeatMs, maxBufferBytes, stallTimeoutMs } = this.config.stream;
    const writer = new SseWriter(response, { heartbeatMs, maxBufferBytes, stallTimeoutMs, withIds: true, streams: this.streams });
    writer.start();
    const detach = record.attach({ filter, send: (event) => writer.sendWithId(event.event_id, event.method, JSON.stringify(event)) });
    this.keep(record);
    response.on('close', () => {
      detach();
      writer.end();
      this.forgetWhenIdle(record);
    });
  }

  /**
   * `subscription.subscribe` on a WebSocket, where commands and events share one ordered connection: the success
   * goes out first, then the kept events the filter selects, then live ones, all through `send`. Answers the
   * subscription's id and how to end it (the socket closing, or `subscription.unsubscribe`).
   */
  async subscribeSocket(threadId: string, command: ProtocolCommand, send: (message: ProtocolSuccess | ProtocolEvent) => void): Promise<{ id: string; detach: () => void }> {
    const filter = parseEventFilter(command.params, 'params');
    await this.threadsService.get(threadId);
    const record = this.record(threadId);
    if (record.runs.length === 0) await this.bindActiveRuns(record);
    // From here on nothing awaits: no event can come between the count in the answer and the replay.
    const id = uuid7(this.clock.now());
    record.subscriptions.set(id, filter);
    send(this.success(record, command, { subscription_id: id, replayed_events: record.count(filter) }));
    const detachSink = record.attach({ filter, send });
    this.keep(record);
    const detach = () => {
      detachSink();
      record.subscriptions.delete(id);
      this.forgetWhenIdle(record);
    };
    return { id, detach };
  }

  private async runStart(threadId: string, command: ProtocolCommand, params: RunStartParams): Promise<ProtocolSuccess> {
    // A thread paused on an interrupt takes the input as the answer, as the protocol's run.start says.
    const existing = await this.threadRows.get(threadId);
    const resume = existing?.status === 'interrupted' && pendingInterrupts(existing).length > 0 && params.input !== null;
    const body = await validatedRunBody({
      ...this.protocolRunOptions(params.multitaskStrategy),
      assistant_id: params.assistantId,
      ...(resume ? { command: { resume: params.input } } : { input: params.input }),
      ...(params.config ? { config: params.config } : {}),
      ...(params.metadata ? { metadata: params.metadata } : {}),
      ...(params.context ? { context: params.context } : {}),
    });
    const run = await this.runs.create(threadId, body);
    const record = this.record(threadId);
    record.assistantId = run.assistant_id;
    this.bind(record, run);
    return this.success(record, command, { run_id: run.run_id });
  }

  private async inputRespond(threadId: string, command: ProtocolCommand, params: InputRespondParams): Promise<ProtocolSuccess> {
    const thread = await this.threadsService.get(threadId);
    const pending = new Set(pendingInterrupts(thread).map((interrupt) => interrupt.id));
    if (pending.size === 0) throw new ConflictException({ detail: `Thread ${threadId} has no pending interrupt to respond to` });
    for (const id of params.responses.keys()) {
      if (!pending.has(id)) throw new NotFoundException({ detail: `params.interrupt_id: thread ${threadId} has no pending interrupt ${id}` });
    }
    const record = this.record(threadId);
    const assistantId = record.assistantId ?? (typeof thread.metadata['assistant_id'] === 'string' ? thread.metadata['assistant_id'] : null);
    if (!assistantId) throw new ConflictException({ detail: `Thread ${threadId} has no assistant to resume; start a run with run.start first` });
    const body = await validatedRunBody({
      ...this.protocolRunOptions(undefined),
      assistant_id: assistantId,
      // Answers keyed by interrupt id: LangGraph resumes each pending interrupt with its own answer.
      command: {
        resume: Object.fromEntries(params.responses),
        ...(params.update !== undefined ? { update: params.update } : {}),
        ...(params.goto !== undefined ? { goto: params.goto } : {}),
      },
      ...(params.config ? { config: params.config } : {}),
      ...(params.metadata ? { metadata: params.metadata } : {}),
    });
    const run = await this.runs.create(threadId, body);
    record.assistantId = run.assistant_id;
    this.bind(record, run);
    return this.success(record, command, {});
  }

  private async stateGet(threadId: string, command: ProtocolCommand): Promise<ProtocolSuccess> {
    const keys = parseStateKeys(command.params);
    const state = await this.state.getState(threadId);
    const values = state.values && typeof state.values === 'object' && keys ? Object.fromEntries(Object.entries(state.values).filter(([key]) => keys.includes(key))) : state.values;
    const checkpoint = state.checkpoint?.checkpoint_id ? { id: state.checkpoint.checkpoint_id, ns: state.checkpoint.checkpoint_ns } : undefined;
    return this.success(this.record(threadId), command, { values: values ?? {}, ...(checkpoint ? { checkpoint } : {}) });
  }

  /** Over HTTP the event stream is the subscription; these commands let a client check a filter and its replay. */
  private async subscribe(threadId: string, command: ProtocolCommand): Promise<ProtocolSuccess> {
    const filter = parseEventFilter(command.params, 'params');
    await this.threadsService.get(threadId);
    const record = this.record(threadId);
    const id = uuid7(this.clock.now());
    record.subscriptions.set(id, filter);
    return this.success(record, command, { subscription_id: id, replayed_events: record.count(filter) });
  }

  private async unsubscribe(threadId: string, command: ProtocolCommand): Promise<ProtocolSuccess> {
    const id = parseSubscriptionId(command.params);
    await this.threadsService.get(threadId);
    const record = this.threads.get(threadId);
    if (!record?.subscriptions.delete(id)) throw new NotFoundException({ detail: `params.subscription_id: no subscription ${id} on thread ${threadId}` });
    return this.success(record, command, {});
  }

  private async agentTree(threadId: string, command: ProtocolCommand): Promise<ProtocolSuccess> {
    const thread = await this.threadsService.get(threadId);
    const status = thread.status === 'busy' ? 'running' : thread.status === 'interrupted' ? 'interrupted' : thread.status === 'error' ? 'failed' : 'completed';
    const graphName = typeof thread.metadata['graph_id'] === 'string' ? thread.metadata['graph_id'] : 'root';
    return this.success(this.record(threadId), command, { tree: { namespace: [], status, graph_name: graphName } });
  }

  private protocolRunOptions(multitaskStrategy: RunStartParams['multitaskStrategy']): Partial<RunCreateStatelessDto> & Record<string, unknown> {
    return {
      stream_mode: PROTOCOL_STREAM_MODES,
      stream_subgraphs: true,
      // Kept events let a client on another replica, or after a restart, replay the run from its start.
      stream_resumable: true,
      if_not_exists: 'create',
      multitask_strategy: multitaskStrategy ?? 'enqueue',
    };
  }

  private success(record: ProtocolThread, command: ProtocolCommand, result: Record<string, unknown>): ProtocolSuccess {
    return { type: 'success', id: command.id, result, meta: { thread_id: record.threadId, applied_through_seq: record.lastSeq } };
  }

  private record(threadId: string): ProtocolThread {
    let record = this.threads.get(threadId);
    if (!record) {
      record = new ProtocolThread(threadId, () => this.clock.now());
      this.threads.set(threadId, record);
    }
    this.forgetWhenIdle(record);
    return record;
  }

  private async bindActiveRuns(record: ProtocolThread): Promise<void> {
    const recent = await this.runRows.list(record.threadId, { limit: 10, offset: 0 });
    const active = recent.filter((run) => run.status === 'running' || run.status === 'pending');
    active.sort((a, b) => (a.status === b.status ? a.created_at.localeCompare(b.created_at) : a.status === 'running' ? -1 : 1));
    for (const run of active) this.bind(record, run);
  }

  /** Queues the run on the thread's stream; runs are followed in order, as the thread executes them. */
  private bind(record: ProtocolThread, run: Run): void {
    if (record.runs.includes(run.run_id)) return;
    record.startWindow();
    record.runs.push(run.run_id);
    if (record.runs.length === 1) this.followNext(record, run);
  }

  private followNext(record: ProtocolThread, run: Run): void {
    const graphName = String(run.kwargs.config?.configurable?.['graph_id'] ?? run.assistant_id);
    const translator = new RunEventTranslator();
    record.push({ method: 'lifecycle', namespace: [], data: { event: 'running', graph_name: graphName } });
    const next = () => {
      record.runs.shift();
      const following = record.runs[0];
      if (following) void this.runRows.get(following).then((row) => (row ? this.followNext(record, row) : next()), () => next());
      else this.forgetWhenIdle(record);
    };
    this.responder.follow(
      run.run_id,
      -1,
      (event) => {
        for (const body of translator.translate(event)) record.push(body);
      },
      (outcome) => {
        for (const body of translator.finish()) record.push(body);
        record.push(translator.terminal(outcome, graphName));
        next();
      },
      (error) => {
        this.logger.warn(`thread ${record.threadId}: run ${run.run_id} could not be followed: ${(error as Error).message}`);
        record.push({ method: 'lifecycle', namespace: [], data: { event: 'failed', graph_name: graphName, error: 'The run could not be read from the database' } });
        next();
      },
    );
  }

  private keep(record: ProtocolThread): void {
    const timer = this.forgetTimers.get(record.threadId);
    if (timer) clearTimeout(timer);
    this.forgetTimers.delete(record.threadId);
  }

  /** Forgets an idle thread after a while: a client that subscribes just after a quick run ends still gets its replay. */
  private forgetWhenIdle(record: ProtocolThread): void {
    this.keep(record);
    if (!record.idle) return;
    const timer = setTimeout(() => {
      this.forgetTimers.delete(record.threadId);
      if (record.idle && this.threads.get(record.threadId) === record) this.threads.delete(record.threadId);
    }, IDLE_FORGET_MS);
    timer.unref();
    this.forgetTimers.set(record.threadId, timer);
  }
}
