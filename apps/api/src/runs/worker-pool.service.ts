import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { type ChildProcess, fork } from 'node:child_process';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { RunSignals } from '../common/run-signals';
import { RunhookMetrics, type MetricsSnapshot } from '../observability/runhook-metrics';
import { StreamBroker } from '../streaming/stream-broker';
import { type ApiToWorkerMessage, isWorkerMessage } from '../streaming/worker-messages';

const RESTART_DELAY_MS = 1_000;
/** A worker that does not answer a scrape in time is left out of it rather than holding Prometheus up. */
const METRICS_TIMEOUT_MS = 2_000;

/**
 * Forks RUNHOOK_WORKER_PROCESSES copies of this build as worker-only processes, so graph execution
 * uses the other cores. They claim runs from the same database; this process relays wake-ups and
 * cancellations to them and their run events back to the clients streaming here.
 */
@Injectable()
export class WorkerPool implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkerPool.name);
  private readonly children = new Set<ChildProcess>();
  private stopping = false;
  private nextRequestId = 0;
  private readonly metricsWaiters = new Map<number, Map<ChildProcess, (snapshot: MetricsSnapshot) => void>>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly signals: RunSignals,
    private readonly broker: StreamBroker,
    private readonly metrics: RunhookMetrics,
  ) {}

  start(entry: string): void {
    const count = this.config.worker.isForkedWorker ? 0 : this.config.worker.processes;
    if (count === 0) return;
    this.signals.onWake(() => this.broadcast({ type: 'wake' }));
    this.signals.onCancel((runId, action) => this.broadcast({ type: 'cancel', runId, action }));
    this.metrics.addRemoteSource(() => this.collectMetrics());
    for (let index = 0; index < count; index++) this.spawn(entry, index);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopChildren(8_000);
  }

  /**
   * Asks every worker process to shut down (SIGTERM: each drains as this process does, with the same grace) and
   * waits up to `waitMs` for them to exit.
   */
  async stopChildren(waitMs: number): Promise<void> {
    this.stopping = true;
    if (this.children.size === 0) return;
    const exits = [...this.children].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of this.children) child.kill('SIGTERM');
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
  }

  private spawn(entry: string, index: number): void {
    const child = fork(entry, [], {
      env: { ...process.env, RUNHOOK_ROLES: 'worker', RUNHOOK_FORKED_WORKER: '1', RUNHOOK_WORKER_PROCESSES: '0' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Its own process group: a Ctrl-C on the terminal reaches this process only, which then sends the one SIGTERM
      // the worker drains on (a second signal would force its exit mid-drain). It still stops when this one is gone.
      detached: true,
    });
    this.children.add(child);
    child.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.type === 'event') this.broker.relay(message.runId, message.event);
      else if (message.type === 'metrics') this.metricsWaiters.get(message.requestId)?.get(child)?.(message.metrics as MetricsSnapshot);
      else this.broker.finish(message.runId, message.outcome);
    });
    child.on('exit', (code, signal) => {
      this.children.delete(child);
      if (this.stopping) return;
      this.logger.error(`worker process ${index} exited (${signal ?? code}); restarting it`);
      setTimeout(() => this.spawn(entry, index), RESTART_DELAY_MS).unref();
    });
  }

  /** Every connected worker's metrics, asked over IPC; those that do not answer within the timeout are skipped. */
  private collectMetrics(): Promise<MetricsSnapshot[]> {
    const requestId = ++this.nextRequestId;
    const waiting = new Map<ChildProcess, (snapshot: MetricsSnapshot) => void>();
    this.metricsWaiters.set(requestId, waiting);
    const answers = [...this.children]
      .filter((child) => child.connected)
      .map(
        (child) =>
          new Promise<MetricsSnapshot | null>((resolve) => {
            const timer = setTimeout(() => resolve(null), METRICS_TIMEOUT_MS);
            const settle = (snapshot: MetricsSnapshot | null): void => {
              clearTimeout(timer);
              resolve(snapshot);
            };
            waiting.set(child, settle);
            child.once('exit', () => settle(null));
            child.send({ type: 'metrics-request', requestId } satisfies ApiToWorkerMessage, (error) => error && settle(null));
          }),
      );
    return Promise.all(answers).then((snapshots) => {
      this.metricsWaiters.delete(requestId);
      return snapshots.filter((snapshot): snapshot is MetricsSnapshot => snapshot !== null);
    });
  }

  private broadcast(message: ApiToWorkerMessage): void {
    for (const child of this.children) if (child.connected) child.send(message);
  }
}
