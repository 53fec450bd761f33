import type { RunEvent, RunListener, RunOutcome } from './run-event';

/** Port for fanning a run's events out to the clients streaming or waiting on it. */
export abstract class StreamBroker {
  /**
   * Opens the channel before the run can start, so a client that created it misses nothing. `executing`:
   * this process runs it, so the channel is kept however quiet the run is, until `finish` or `release`.
   */
  abstract open(runId: string, options: { keepEvents: boolean; executing?: boolean }): void;
  abstract publish(runId: string, event: string, data: string): RunEvent | null;
  abstract finish(runId: string, outcome: RunOutcome): void;
  /** The executor is done with the run without having finished it (its end could not be written). */
  abstract release(runId: string): void;
  /**
   * Replays buffered events after `afterSeq` (when the run keeps them), then streams live ones.
   * Returns null when this process has no channel for the run.
   */
  abstract subscribe(runId: string, listener: RunListener, afterSeq?: number): (() => void) | null;
  abstract isOpen(runId: string): boolean;
  /** Whether anyone could receive the run's events now or later: if not, they need not be serialized. */
  abstract wants(runId: string): boolean;
  /** Takes an event a worker process published (already numbered) as if it were published here. */
  abstract relay(runId: string, event: RunEvent): void;
}
