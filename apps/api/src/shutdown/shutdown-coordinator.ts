/** The parts of a process that shutdown drains; each is absent where its role does not run. */
export interface ShutdownParts {
  http?: {
    /** Stops accepting connections; resolves once every request in flight has been answered. */
    stopAccepting(): Promise<void>;
    /** Cuts the connections still open (requests that would outlive the grace). */
    cutOpenConnections(): void;
  };
  /** SSE clients: told to reconnect elsewhere, then closed. Answers how many. */
  streams?: { handOffAll(): number };
  runs?: {
    stopClaiming(): void;
    drain(graceOver: Promise<void>): Promise<{ finished: number; released: string[] }>;
  };
  deliveries?: {
    stopClaiming(): void;
    drain(graceOver: Promise<void>): Promise<{ released: number }>;
  };
  /** Cron firings: no new pass; resolves once the pass under way ends. */
  crons?: { stop(): Promise<void> };
  /** Forked worker processes: each drains on its own with the same grace; resolves once they exited. */
  workers?: { stop(): Promise<void> };
}

export interface ShutdownTiming {
  graceMs: number;
  /** Resolves after `ms`: a real timer in the process, a hand-moved one in tests. */
  after(ms: number): Promise<void>;
  /** Milliseconds since some origin, for the drain time reported. */
  now(): number;
}

export interface ShutdownReport {
  drainMs: number;
  streamsHandedOff: number;
  runsFinished: number;
  runsReleased: string[];
  deliveriesReleased: number;
  /** Parts that failed while draining (their work is left to lease expiry), as messages. */
  failures: string[];
}

/**
 * Drains one process. At once: nothing more is claimed (runs, deliveries, cron firings), the HTTP server stops
 * accepting, SSE clients are handed off to another process. Then runs and deliveries in flight get the grace; what
 * is still going when it ends is handed back to the queue without using up an attempt. The HTTP requests still open
 * at the end of the grace are cut.
 */
export class ShutdownCoordinator {
  private running: Promise<ShutdownReport> | null = null;

  constructor(
    private readonly parts: ShutdownParts,
    private readonly timing: ShutdownTiming,
  ) {}

  /** Starts the drain (once: later calls answer the same drain). */
  shutdown(): Promise<ShutdownReport> {
    this.running ??= this.drain();
    return this.running;
  }

  private async drain(): Promise<ShutdownReport> {
    const { parts, timing } = this;
    const startedAt = timing.now();
    const graceOver = timing.after(timing.graceMs);
    const failures: string[] = [];
    const guarded = <T>(name: string, work: () => Promise<T>, fallback: T): Promise<T> =>
      work().catch((error: unknown) => {
        failures.push(`${name}: ${(error as Error).message}`);
        return fallback;
      });

    parts.runs?.stopClaiming();
    parts.deliveries?.stopClaiming();
    const cronsStopped = guarded('crons', async () => parts.crons?.stop(), undefined);
    const requestsDone = guarded('http', async () => parts.http?.stopAccepting(), undefined);
    const streamsHandedOff = parts.streams?.handOffAll() ?? 0;
    const workersStopped = guarded('worker processes', async () => parts.workers?.stop(), undefined);

    const [runs, deliveries] = await Promise.all([
      guarded('runs', async () => parts.runs?.drain(graceOver) ?? { finished: 0, released: [] }, { finished: 0, released: [] as string[] }),
      guarded('deliveries', async () => parts.deliveries?.drain(graceOver) ?? { released: 0 }, { released: 0 }),
      cronsStopped,
      workersStopped,
    ]);
    // Requests still open past the grace (a wait on a run handed back) are cut: their clients retry elsewhere.
    const answered = await Promise.race([requestsDone.then(() => true), graceOver.then(() => false)]);
    if (!answered) parts.http?.cutOpenConnections();
    return {
      drainMs: timing.now() - startedAt,
      streamsHandedOff,
      runsFinished: runs.finished,
      runsReleased: runs.released,
      deliveriesReleased: deliveries.released,
      failures,
    };
  }
}
