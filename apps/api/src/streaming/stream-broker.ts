import type { RunEvent, RunListener, RunOutcome } from './run-event';

/** Port for fanning a run's events out to the clients streaming or waiting on it. */
export abstract class StreamBroker {
  /** Opens the channel before the run can start, so a client that created it misses nothing. */
  abstract open(runId: string, options: { keepEvents: boolean }): void;
  abstract publish(runId: string, event: string, data: string): RunEvent | null;
  abstract finish(runId: string, outcome: RunOutcome): void;
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
