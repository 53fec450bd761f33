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
  /**
   * `output` as JSON text, what `JSON.stringify(output)` gives, when the run's end made it on the way: on a long thread
   * the answer is the whole message list, and writing it again for every waiting client was most of a join's cost.
   */
  outputJson?: string;
}

export interface RunListener {
  onEvent(event: RunEvent): void;
  onDone(outcome: RunOutcome): void;
}
