import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { Run } from '@runhook/contracts';
import { isAuthRefusal } from '../auth/auth-handlers';
import type { Request, Response } from 'express';
import { parseBooleanFlag } from '../common/json';
import { RunSignals } from '../common/run-signals';
import { type AppConfig, InjectConfig } from '../config/app-config';
import type { RunEvent, RunOutcome } from '../streaming/run-event';
import { OpenStreams } from '../streaming/open-streams';
import { SseWriter } from '../streaming/sse-writer';
import { StreamBroker } from '../streaming/stream-broker';
import { parseLastEventId } from './run-query';
import type { RunRecord } from './run-record';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';

const TERMINAL = new Set(['success', 'error', 'interrupted', 'timeout']);
const POLL_MS = 100;
/** How often a client of a run with a local channel checks the database, in case another replica runs it. */
const WATCH_MS = 1_000;
/** Consecutive failed reads of the database before a client is told the run cannot be followed. */
const WATCH_FAILURES = 3;

/** What a client hears when its run can no longer be read (the database is failing). */
export function unavailable(error: unknown): { error: string; message: string } {
  return { error: 'ServiceUnavailable', message: `The run could not be read from the database: ${(error as Error).message}` };
}

export interface RunPaths {
  /** `Content-Location`: the run resource. */
  run: string;
  /** `Location`: where a client reconnects (stream) or joins (wait). */
  location: string;
}

export function runPaths(run: Run, stateless: boolean, kind: 'stream' | 'join'): RunPaths {
  const base = stateless ? `/runs/${run.run_id}` : `/threads/${run.thread_id}/runs/${run.run_id}`;
  return { run: base, location: `${base}/${kind}` };
}

function outputOf(record: RunRecord): unknown {
  if (record.status === 'error') return { __error__: record.error ?? { error: 'Error', message: 'Run failed' } };
  return record.final_values ?? {};
}

/** Answers clients that stream, wait on or join a run: SSE, long-poll JSON, disconnect handling. */
@Injectable()
export class RunResponder {
  private readonly logger = new Logger(RunResponder.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly broker: StreamBroker,
    private readonly runs: RunsRepository,
    private readonly service: RunsService,
    private readonly signals: RunSignals,
    private readonly streams: OpenStreams,
  ) {}

  /**
   * Streams the run's events; `afterSeq` replays from a `Last-Event-ID` (-1: from the start). Thread
   * run streams and joins number every event (`id: 0` is the metadata), as the reference does; a
   * stateless stream only when its events are kept (`stream_resumable`).
   */
  stream(
    request: Request,
    response: Response,
    run: Run,
    paths: RunPaths,
    options: { afterSeq: number; cancelOnDisconnect: boolean; withIds?: boolean },
  ): void {
    const writer = this.sseWriter(response, options.withIds ?? run.kwargs.resumable, { 'Content-Location': paths.run, Location: paths.location });
    writer.start();
    let finished = false;
    const done = () => {
      finished = true;
      writer.end();
    };
    const stop = this.follow(run.run_id, options.afterSeq, (event) => writer.send(event), done, (error) => {
      writer.sendRaw('error', JSON.stringify(unavailable(error)));
      done();
    });
    // `close` on the response fires when the client goes away (the request's fires once its body is read).
    response.on('close', () => {
      stop();
      writer.end();
      if (!finished && options.cancelOnDisconnect) this.cancelOnDisconnect(run.run_id);
    });
  }

  /**
   * A client rejoining a run's stream: `Last-Event-ID` says where to resume, the query whether leaving cancels.
   * When custom auth refuses the run (another user's thread), the answer is a stream with one `error` event naming
   * the status, as the reference answers a join; a run that does not exist is still a plain 404.
   */
  async joinStream(
    request: Request,
    response: Response,
    load: () => Promise<Run>,
    stateless: boolean,
    client: { lastEventId: string | undefined; cancelOnDisconnect: string | undefined },
  ): Promise<void> {
    let run: Run;
    try {
      run = await load();
    } catch (error) {
      if (!isAuthRefusal(error)) throw error;
      const writer = this.sseWriter(response, false);
      writer.start();
      writer.sendRaw('error', JSON.stringify({ error: 'Error', message: `${error.getStatus()}: ${error.detail}` }));
      writer.end();
      return;
    }
    this.stream(request, response, run, runPaths(run, stateless, 'stream'), {
      afterSeq: parseLastEventId(client.lastEventId),
      cancelOnDisconnect: parseBooleanFlag(client.cancelOnDisconnect),
      withIds: true,
    });
  }

  private sseWriter(response: Response, withIds: boolean, headers?: Record<string, string>): SseWriter {
    const { heartbeatMs, maxBufferBytes, stallTimeoutMs } = this.config.stream;
    return new SseWriter(response, { heartbeatMs, maxBufferBytes, stallTimeoutMs, withIds, streams: this.streams, ...(headers ? { headers } : {}) });
  }

  /** Holds the request open until the run ends, then answers its final values (or `__error__`). */
  wait(request: Request, response: Response, run: Run, paths: RunPaths, cancelOnDisconnect: boolean): void {
    response.status(200);
    response.setHeader('Content-Type', 'application/json');
    response.setHeader('Content-Location', paths.run);
    response.setHeader('Location', paths.location);
    let finished = false;
    // Leading whitespace is valid JSON: it keeps idle-timeout proxies from closing a long wait.
    const heartbeat = setInterval(() => {
      if (!response.headersSent) response.flushHeaders();
      response.write('\n');
    }, this.config.stream.heartbeatMs);
    heartbeat.unref();
    const end = (json: string) => {
      finished = true;
      clearInterval(heartbeat);
      response.end(json);
    };
    const answer = (outcome: RunOutcome) => end(outcome.outputJson ?? JSON.stringify(outcome.output ?? null));
    const stop = this.follow(run.run_id, Number.MAX_SAFE_INTEGER, () => undefined, answer, (error) => {
      // Before the first keep-alive byte the status can still say so; after it, the body carries the error.
      if (!response.headersSent) response.status(503);
      end(JSON.stringify(response.headersSent ? { __error__: unavailable(error) } : { detail: unavailable(error).message }));
    });
    response.on('close', () => {
      clearInterval(heartbeat);
      stop();
      if (!finished && cancelOnDisconnect) this.cancelOnDisconnect(run.run_id);
    });
  }

  /** Resolves with the run's output once it has ended; rejects with a 503 when the run cannot be read. */
  outcome(runId: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.follow(runId, Number.MAX_SAFE_INTEGER, () => undefined, (outcome) => resolve(outcome.output), (error) => {
        reject(new ServiceUnavailableException({ detail: unavailable(error).message }));
      });
    });
  }

  /** A client that left asked for its run to stop; a failure is logged, never thrown into the void. */
  private cancelOnDisconnect(runId: string): void {
    this.service.cancelMany({ runIds: [runId], action: 'interrupt' }).catch((error: unknown) => {
      this.logger.error(`run ${runId}: cancelling after the client left failed: ${(error as Error).message}`);
    });
  }

  /**
   * Delivers the run's events after `afterSeq`, then its outcome, once each. Events come from this
   * process's broker when the run executes here or in a forked worker; the database is watched too
   * (at once when there is no local channel, after a second otherwise), for runs another replica
   * executes: their stored events (resumable runs) and their final status.
   */
  follow(
    runId: string,
    afterSeq: number,
    onEvent: (event: RunEvent) => void,
    onDone: (outcome: RunOutcome) => void,
    onError: (error: unknown) => void,
  ): () => void {
    let lastSeq = afterSeq;
    let done = false;
    let failures = 0;
    let timer: NodeJS.Timeout | null = null;
    let unsubscribe: (() => void) | null = null;
    // A replica that ended the run says so (PostgreSQL NOTIFY): read it at once rather than at the next watch.
    const stopEndedSignal = this.signals.onEnded((endedRunId) => {
      if (endedRunId === runId && !done) watchSafely();
    });
    const stop = () => {
      done = true;
      if (timer) clearTimeout(timer);
      stopEndedSignal();
      unsubscribe?.();
    };
    const deliver = (event: RunEvent) => {
      if (done || event.seq <= lastSeq) return;
      lastSeq = event.seq;
      onEvent(event);
    };
    const finish = (outcome: RunOutcome) => {
      if (done) return;
      stop();
      onDone(outcome);
    };
    const watch = async (): Promise<void> => {
      if (done) return;
      if (timer) clearTimeout(timer);
      const record = await this.runs.get(runId);
      for (const event of await this.runs.listEvents(runId, lastSeq)) deliver(event);
      failures = 0;
      if (!record || TERMINAL.has(record.status)) {
        finish({ status: (record?.status ?? 'error') as RunOutcome['status'], output: record ? outputOf(record) : null });
        return;
      }
      if (!done) timer = setTimeout(watchSafely, unsubscribe ? WATCH_MS : POLL_MS).unref();
    };
    // A failed read is retried a few times (a database restart passes); then the client is told, and the
    // process goes on serving everyone else.
    function watchSafely(): void {
      watch().catch((error: unknown) => {
        if (done) return;
        failures += 1;
        if (failures < WATCH_FAILURES) {
          timer = setTimeout(watchSafely, POLL_MS * failures).unref();
          return;
        }
        stop();
        onError(error);
      });
    }
    unsubscribe = this.broker.subscribe(runId, { onEvent: deliver, onDone: finish }, afterSeq);
    if (done) return stop;
    if (unsubscribe) timer = setTimeout(watchSafely, WATCH_MS).unref();
    else watchSafely();
    return stop;
  }
}
