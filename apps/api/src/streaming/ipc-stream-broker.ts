import { Injectable } from '@nestjs/common';
import type { RunEvent, RunListener, RunOutcome } from './run-event';
import { StreamBroker } from './stream-broker';
import type { WorkerToApiMessage } from './worker-messages';

/**
 * The broker of a forked worker process: it numbers each run's events and hands them, and the run's
 * outcome, to the api process over the IPC channel, where the streaming clients are.
 */
@Injectable()
export class IpcStreamBroker extends StreamBroker {
  private readonly nextSeq = new Map<string, number>();

  open(runId: string): void {
    if (!this.nextSeq.has(runId)) this.nextSeq.set(runId, 0);
  }

  isOpen(runId: string): boolean {
    return this.nextSeq.has(runId);
  }

  /** The api process may have clients streaming this run: always forward. */
  wants(runId: string): boolean {
    return this.nextSeq.has(runId);
  }

  publish(runId: string, event: string, data: string): RunEvent | null {
    const seq = this.nextSeq.get(runId);
    if (seq === undefined) return null;
    this.nextSeq.set(runId, seq + 1);
    const runEvent: RunEvent = { seq, event, data };
    this.send({ type: 'event', runId, event: runEvent });
    return runEvent;
  }

  finish(runId: string, outcome: RunOutcome): void {
    this.nextSeq.delete(runId);
    // The channel carries the value once: the api process writes its own text of it.
    this.send({ type: 'finish', runId, outcome: { status: outcome.status, output: outcome.output } });
  }

  release(runId: string): void {
    this.nextSeq.delete(runId);
  }

  subscribe(_runId: string, _listener: RunListener): (() => void) | null {
    return null;
  }

  relay(): void {
    // Worker processes have no clients of their own to relay to.
  }

  private send(message: WorkerToApiMessage): void {
    if (process.connected) process.send?.(message);
  }
}
