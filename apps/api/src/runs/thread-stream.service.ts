import { Injectable, NotFoundException } from '@nestjs/common';
import type { Run } from '@runhook/contracts';
import type { Response } from 'express';
import { RunSignals } from '../common/run-signals';
import { type AppConfig, InjectConfig } from '../config/app-config';
import type { RunOutcome } from '../streaming/run-event';
import { OpenStreams } from '../streaming/open-streams';
import { SseWriter } from '../streaming/sse-writer';
import { ThreadsRepository } from '../threads/threads.repository';
import { RunResponder, unavailable } from './run-responder.service';
import { RunsRepository } from './runs.repository';
import { type ThreadStreamMode, parseThreadCursor, passesRunEvent, threadEventId } from './thread-stream';

/** How often an idle thread stream looks for runs that other processes created (local ones wake it at once). */
const IDLE_POLL_MS = 500;
/** Active runs looked at per pass: a thread runs one at a time, so the next one is among the first. */
const ACTIVE_RUNS_SCAN = 50;

interface StreamClient {
  writer: SseWriter;
  modes: Set<ThreadStreamMode>;
  closed: () => boolean;
  /** Set while a run is followed: stops following it. */
  stopRun: (() => void) | null;
  /** Set while idle: ends the wait at once. */
  stopWait: (() => void) | null;
  /** A run was created since the last look for runs: look again before waiting. */
  woken: boolean;
}

/**
 * `GET /threads/{id}/stream`: the runs of a thread, one after the other as they execute, over one SSE
 * response that stays open until the client leaves. Each run is followed as `/runs/{id}/stream` would
 * (this process's broker, or the database for runs other replicas execute).
 */
@Injectable()
export class ThreadStreamService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly threads: ThreadsRepository,
    private readonly runs: RunsRepository,
    private readonly responder: RunResponder,
    private readonly signals: RunSignals,
    private readonly streams: OpenStreams,
  ) {}

  async open(threadId: string, response: Response, options: { modes: Set<ThreadStreamMode>; lastEventId: string | undefined }): Promise<void> {
    if (!(await this.threads.get(threadId))) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    const { heartbeatMs, maxBufferBytes, stallTimeoutMs } = this.config.stream;
    const writer = new SseWriter(response, { heartbeatMs, maxBufferBytes, stallTimeoutMs, withIds: true, streams: this.streams });
    writer.start();
    let closed = false;
    const client: StreamClient = { writer, modes: options.modes, closed: () => closed, stopRun: null, stopWait: null, woken: false };
    // Listening from the start: a run created while the stream looks for runs must not be waited past.
    const stopWake = this.signals.onWake(() => {
      client.woken = true;
      client.stopWait?.();
    });
    response.on('close', () => {
      closed = true;
      stopWake();
      client.stopRun?.();
      client.stopWait?.();
      writer.end();
    });
    // A database failure ends this stream with an `error` event; the process and other clients carry on.
    void this.serve(threadId, client, options.lastEventId).catch((error: unknown) => {
      writer.sendRaw('error', JSON.stringify(unavailable(error)));
      writer.end();
    });
  }

  private async serve(threadId: string, client: StreamClient, lastEventId: string | undefined): Promise<void> {
    const seen = new Set<string>();
    const since = new Date().toISOString();
    const cursor = parseThreadCursor(lastEventId);
    if (cursor) {
      seen.add(cursor.runId);
      // The client saw part of that run: the rest of it first (replayed when the run kept its events).
      if (cursor.afterSeq !== 'done' && (await this.runs.get(cursor.runId))?.thread_id === threadId) {
        await this.followRun(cursor.runId, cursor.afterSeq, client);
      }
    }
    while (!client.closed()) {
      client.woken = false;
      const next = await this.nextRun(threadId, seen, since);
      if (!next) {
        await this.waitForRuns(client);
        continue;
      }
      seen.add(next.run_id);
      await this.followRun(next.run_id, -1, client);
    }
  }

  /**
   * The next run of the thread not streamed yet: a running one first, then pending ones in the order they fall due
   * (a run's created_at is its due time). A run that started and ended while the previous one was being followed
   * still counts (created since the stream opened), so its end is always announced; its events are replayed only
   * when it was `stream_resumable`.
   */
  private async nextRun(threadId: string, seen: Set<string>, since: string): Promise<Run | null> {
    const recent = await this.runs.list(threadId, { limit: ACTIVE_RUNS_SCAN, offset: 0 });
    const fresh = recent.filter((run) => !seen.has(run.run_id) && (run.status === 'running' || run.status === 'pending' || run.created_at >= since));
    const rank = (run: Run) => (run.status === 'running' ? 0 : run.status === 'pending' ? 2 : 1);
    fresh.sort((a, b) => rank(a) - rank(b) || a.created_at.localeCompare(b.created_at) || a.run_id.localeCompare(b.run_id));
    return fresh[0] ?? null;
  }

  private waitForRuns(client: StreamClient): Promise<void> {
    if (client.woken || client.closed()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.stopWait = null;
        resolve();
      };
      const timer = setTimeout(done, IDLE_POLL_MS);
      timer.unref();
      client.stopWait = done;
    });
  }

  private followRun(runId: string, afterSeq: number, client: StreamClient): Promise<void> {
    return new Promise((resolve, reject) => {
      const stop = this.responder.follow(
        runId,
        afterSeq,
        (event) => {
          if (passesRunEvent(client.modes, event.event)) client.writer.sendWithId(threadEventId(runId, event.seq), event.event, event.data);
        },
        (outcome) => {
          client.stopRun = null;
          this.sendRunEnd(runId, outcome, client);
          resolve();
        },
        (error) => {
          client.stopRun = null;
          reject(error);
        },
      );
      client.stopRun = () => {
        stop();
        client.stopRun = null;
        resolve();
      };
      if (client.closed()) client.stopRun();
    });
  }

  private sendRunEnd(runId: string, outcome: RunOutcome, client: StreamClient): void {
    const id = threadEventId(runId, 'done');
    if (client.modes.has('run_modes') || client.modes.has('lifecycle')) {
      client.writer.sendWithId(id, 'run_done', JSON.stringify({ run_id: runId, status: outcome.status }));
    }
    if (client.modes.has('state_update')) {
      client.writer.sendWithId(id, 'state_update', JSON.stringify({ run_id: runId, status: outcome.status, values: outcome.output ?? null }));
    }
  }
}
