/** One SSE event of a run, serialized once and fanned out to every listener. */
export interface RunEvent {
  /** Sequence number within the run, 0-based; sent as the SSE `id`. */
  seq: number;
  event: string;
  /** The `data:` line, already JSON. */
  data: string;
}

/** How a run ended, as the broker tells waiting clients. */
export interface RunOutcome {
  status: 'success' | 'error' | 'interrupted' | 'timeout';
  /** The value `/wait` and `/join` answer with. */
  output: unknown;
}

export interface RunListener {
  onEvent(event: RunEvent): void;
  onDone(outcome: RunOutcome): void;
}
