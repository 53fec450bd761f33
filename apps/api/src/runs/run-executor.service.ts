import { Injectable, Logger } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '../config/app-config';
import type { Interrupt, RunError } from '@runhook/contracts';
import { Clock } from '../common/clock';
import { RunSignals } from '../common/run-signals';
import { uuid6Time } from '../common/ids';
import { CheckpointMaintenance } from '../graphs/checkpoint-maintenance';
import { isCheckpointStoreOutage } from '../persistence/checkpoint-fence';
import { GraphRegistry, type RunnableGraph } from '../graphs/graph-registry.service';
import { StreamBroker } from '../streaming/stream-broker';
import { serializeError, toWire, toWireJson, toWireValue } from '../streaming/serialize';
import { type StreamSummary, runGraphStream } from './graph-stream';
import { graphInput, graphRunConfig } from './run-input';
import type { CancelAction, RunFence, RunRecord, RunResult, TerminalStatus } from './run-record';
import { OrderedEventWriter } from './ordered-event-writer';
import { RunsRepository } from './runs.repository';
import { RunhookMetrics } from '../observability/runhook-metrics';
import { planStream } from './stream-modes';
import { ThreadsRepository } from '../threads/threads.repository';
import { WebhookOutbox } from '../webhooks/webhook-outbox.service';

export interface RunControl {
  signal: AbortSignal;
  /** The attempt this execution was claimed as; every write it makes is conditional on it. */
  fence: RunFence;
  /** Why the signal fired, once it has. */
  cancelAction(): CancelAction | null;
  /** True once a renewal found the lease held by another worker (the signal fired for that). */
  leaseLost(): boolean;
  /** True once this process handed the run back at shutdown: another worker resumes it, this execution ends nothing. */
  released(): boolean;
  /** Renews the lease now; false when it is lost. Asked before writes outside the runs table. */
  holdsLease(): Promise<boolean>;
  /**
   * The run's end is being written (fenced by `fence`): its lease needs no more renewals, and a renewal that finds
   * the run ended is not a lost lease.
   */
  ending(): void;
}

interface FinalState {
  values: Record<string, unknown> | null;
  /** `values` as JSON text, when it was made on the way. */
  valuesJson?: string;
  interrupts: Record<string, Interrupt[]>;
  hasNext: boolean;
}

/** An attempt as it ends: what it ran, how far it got, and where its events went. */
interface AttemptEnd {
  run: RunRecord;
  control: RunControl;
  graph: RunnableGraph | null;
  failure: unknown;
  /** The thread's newest checkpoint when the attempt began (a rollback deletes what came after). */
  startCheckpointId: string | null;
  summary: StreamSummary | null;
  startedAtMs: number;
  emit: (event: string, data: unknown) => void;
  stored: OrderedEventWriter;
}

/** Executes one claimed run: streams the graph, then ends the run in one transaction. */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);

  constructor(
    private readonly graphs: GraphRegistry,
    private readonly broker: StreamBroker,
    private readonly runs: RunsRepository,
    private readonly threads: ThreadsRepository,
    private readonly checkpoints: CheckpointMaintenance,
    private readonly clock: Clock,
    private readonly outbox: WebhookOutbox,
    private readonly signals: RunSignals,
    @InjectConfig() private readonly config: AppConfig,
    private readonly metrics: RunhookMetrics,
  ) {}

  async execute(run: RunRecord, control: RunControl): Promise<void> {
    const { kwargs } = run;
    const startedAtMs = this.clock.now();
    this.metrics.runsStarted.inc();
    this.logger.debug({ msg: 'run started', ...this.ids(run), attempt: run.attempt });
    // A forked worker says which process ran each run, so operators (and the worker-processes e2e) can see the
    // work left the api process. The single-process default logs nothing per run.
    if (this.config.worker.isForkedWorker) this.logger.log(`run ${run.run_id} executed by worker process pid ${process.pid}`);
    this.broker.open(run.run_id, { keepEvents: kwargs.resumable, executing: true });
    const stored = new OrderedEventWriter(
      (events) => this.runs.appendEvents(run.run_id, events, control.fence),
      (events, error) => this.logger.warn(`run ${run.run_id}: events ${events[0].seq}-${events[events.length - 1].seq} not stored: ${(error as Error).message}`),
    );
    const emit = (event: string, data: unknown) => {
      // A background run nobody streams skips serializing its events (resumable runs always keep them).
      if (!kwargs.resumable && !this.broker.wants(run.run_id)) return;
      const published = this.broker.publish(run.run_id, event, toWireJson(data));
      if (published && kwargs.resumable) stored.add(published);
    };
    let startCheckpointId: string | null = null;
    let graph: RunnableGraph | null = null;
    let failure: unknown = null;
    let summary: StreamSummary | null = null;
    try {
      emit('metadata', { run_id: run.run_id, attempt: run.attempt });
      // Only the id is needed: loading the whole checkpoint would decode the thread's entire state.
      const latestCheckpointId = await this.checkpoints.latestCheckpointId(run.thread_id);
      // While a run is running nothing else writes to its thread, so checkpoints newer than its first
      // start are its own: a retried run continues from them instead of replaying its input.
      const latestAt = latestCheckpointId ? uuid6Time(latestCheckpointId) : null;
      const resumeOwnWork = run.attempt > 1 && run.started_at !== null && latestAt !== null && latestAt >= Date.parse(run.started_at);
      startCheckpointId = latestCheckpointId;
      const config = graphRunConfig(kwargs, run.run_id, run.attempt, control.signal);
      graph = await this.graphs.get(String(kwargs.config.configurable?.['graph_id']), config);
      summary = await runGraphStream({
        graph,
        // A retried run continues from its own last checkpoint instead of replaying its input.
        input: resumeOwnWork ? null : graphInput(kwargs),
        config,
        plan: planStream(kwargs.stream_mode),
        subgraphs: kwargs.subgraphs,
        runId: run.run_id,
        emit,
      });
    } catch (error) {
      failure = error;
    }
    try {
      await this.complete({ run, control, graph, failure, startCheckpointId, summary, startedAtMs, emit, stored });
    } finally {
      // After a failed end the run is retried from its lease; the channel is no longer this executor's.
      this.broker.release(run.run_id);
    }
  }

  private async complete(end: AttemptEnd): Promise<void> {
    const { run, control, graph, failure, startCheckpointId, summary, startedAtMs, emit, stored } = end;
    if (control.released()) {
      this.logger.log(`run ${run.run_id}: attempt ${run.attempt} stopped at shutdown; the run is back in the queue and resumes elsewhere`);
      return;
    }
    if (control.leaseLost()) {
      // Another worker executes the run now: this one ends nothing, announces nothing.
      this.logger.warn(`run ${run.run_id}: attempt ${run.attempt} stopped after losing its lease; its end is left to the new owner`);
      return;
    }
    if (failure && !control.signal.aborted && isCheckpointStoreOutage(failure)) {
      // The database went away under the graph's checkpoints: the run is not at fault, and its end could not be
      // trusted to reach the database either. Left to its lease, it is resumed from its last checkpoint.
      this.logger.warn({
        msg: `run ${run.run_id}: attempt ${run.attempt} stopped, its checkpoints could not reach the database (${(failure as Error).message}); it is resumed once its lease lapses`,
        ...this.ids(run),
      });
      return;
    }
    const action = control.signal.aborted ? (control.cancelAction() ?? 'interrupt') : null;
    const status: TerminalStatus = action ? 'interrupted' : failure ? 'error' : 'success';
    const error: RunError | null = status === 'error' ? serializeError(failure) : null;
    if (error) {
      this.logger.warn({ msg: `run ${run.run_id} failed: ${error.error}: ${error.message}`, ...this.ids(run), error: error.error });
      emit('error', error);
    }
    if (action === 'rollback') {
      if (!(await control.holdsLease())) return;
      await this.checkpoints.deleteAfter(run.thread_id, startCheckpointId);
    }
    const state =
      action === 'rollback' || !graph
        ? null
        : (this.stateFromStream(run, graph, failure, action, summary) ?? (await this.finalState(graph, run.thread_id)));
    const result: RunResult = {
      status,
      error,
      finalValues: state?.values ?? null,
      finalValuesJson: state?.valuesJson,
      endedAt: this.clock.isoNow(),
      discard: action === 'rollback',
      thread: run.kwargs.temporary
        ? null
        : {
            // A cancelled run leaves its node pending, but the thread is idle: the user asked it to stop.
            status: error ? 'error' : state?.hasNext && !action ? 'interrupted' : 'idle',
            values: state?.values ?? null,
            interrupts: state?.interrupts ?? {},
            error,
          },
    };
    if (action === 'rollback') {
      const thread = await this.threads.get(run.thread_id);
      if (result.thread && thread) result.thread.values = thread.values;
    }
    // A rolled-back run is deleted, yet its webhook still tells that it was interrupted.
    result.delivery = this.outbox.forRunEnd(run, { status, endedAt: result.endedAt, error, values: result.finalValues });
    // The dispatcher is woken at the commit, not after its disk sync: its claim shares that sync.
    if (result.delivery) result.onCommitted = () => this.outbox.notify();
    control.ending();
    // A follower on another replica that sees the end reads the stored events once more: they must all be there.
    await stored.flushed();
    if (!(await this.runs.finish(run.run_id, result, control.fence))) {
      this.logger.warn(`run ${run.run_id}: attempt ${run.attempt} ended after another worker took the run over; its end was not written`);
      return;
    }
    const endedAtMs = this.clock.now();
    this.metrics.runEnded(status, startedAtMs, endedAtMs);
    this.logger.log({ msg: 'run ended', ...this.ids(run), status, attempt: run.attempt, duration_ms: endedAtMs - startedAtMs });
    if (run.kwargs.temporary) await this.deleteTemporaryThread(run.thread_id);
    const output = this.output(result, state);
    // The values' text made for the database is the answer's too, when the answer is the values themselves.
    const outputJson = state?.values != null && output === state.values ? state.valuesJson : undefined;
    this.broker.finish(run.run_id, outputJson === undefined ? { status, output } : { status, output, outputJson });
    this.signals.ended(run.run_id);
  }

  /** The ids every line about a run carries, so a log search by any of them finds it. */
  private ids(run: RunRecord): { run_id: string; thread_id: string; assistant_id: string; cron_id?: string } {
    const ids = { run_id: run.run_id, thread_id: run.thread_id, assistant_id: run.assistant_id };
    return run.cron ? { ...ids, cron_id: run.cron.cron_id } : ids;
  }

  private output(result: RunResult, state: FinalState | null): unknown {
    if (result.error) return { __error__: result.error };
    const values = state?.values ?? {};
    const interrupts = Object.values(state?.interrupts ?? {}).flat();
    return interrupts.length > 0 ? { ...values, __interrupt__: interrupts } : values;
  }

  /**
   * A run that completed without pausing ends with nothing left to do: its last `values` chunk is the
   * final state, so the checkpoint need not be read back. Pauses and failures read the real state.
   */
  private stateFromStream(
    run: RunRecord,
    graph: RunnableGraph,
    failure: unknown,
    action: CancelAction | null,
    summary: StreamSummary | null,
  ): FinalState | null {
    if (failure || action || !summary || summary.interrupted || summary.lastValues === undefined) return null;
    // Breakpoints, given with the run or compiled into the graph, pause without an interrupt chunk.
    if (run.kwargs.interrupt_before?.length || run.kwargs.interrupt_after?.length) return null;
    if (graph.interruptBefore?.length || graph.interruptAfter?.length) return null;
    const wire = toWire(summary.lastValues);
    return { values: wire.value as Record<string, unknown> | null, valuesJson: wire.json, interrupts: {}, hasNext: false };
  }

  private async finalState(graph: RunnableGraph, threadId: string): Promise<FinalState | null> {
    try {
      const snapshot = await graph.getState({ configurable: { thread_id: threadId } });
      const interrupts: Record<string, Interrupt[]> = {};
      for (const task of snapshot.tasks) {
        if (task.interrupts.length > 0) interrupts[task.id] = toWireValue(task.interrupts);
      }
      return {
        values: toWireValue<Record<string, unknown> | null>(snapshot.values ?? null),
        interrupts,
        hasNext: snapshot.next.length > 0,
      };
    } catch (error) {
      this.logger.warn(`could not read the final state of thread ${threadId}: ${(error as Error).message}`);
      return null;
    }
  }

  /** The run itself stays readable (and joinable from other replicas) until the worker purges it. */
  private async deleteTemporaryThread(threadId: string): Promise<void> {
    await this.threads.delete(threadId, { keepRuns: true });
    await this.checkpoints.deleteThread(threadId);
  }
}
