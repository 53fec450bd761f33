import type { Logger } from '@nestjs/common';

/**
 * The timers of a background loop (run worker, webhook dispatcher, cron scheduler): periodic safety
 * tasks whose failures are logged, not thrown, and one timer for the moment the next item falls due.
 * None of them keeps the process alive.
 */
export class BackgroundTimers {
  private readonly intervals: NodeJS.Timeout[] = [];
  private dueTimer: NodeJS.Timeout | null = null;

  constructor(private readonly logger: Logger) {}

  every(ms: number, task: () => Promise<void> | void): void {
    const timer = setInterval(() => {
      Promise.resolve()
        .then(task)
        .catch((error: unknown) => this.logger.error((error as Error).message));
    }, ms);
    timer.unref();
    this.intervals.push(timer);
  }

  /** Calls `onDue` just after `dueAt` (replacing the previous one); null only clears it. */
  armAt(dueAt: number | null, now: number, onDue: () => void): void {
    this.clearDue();
    if (dueAt === null) return;
    this.dueTimer = setTimeout(onDue, Math.max(0, dueAt - now) + 1);
    this.dueTimer.unref();
  }

  clearDue(): void {
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
  }

  stop(): void {
    for (const timer of this.intervals) clearInterval(timer);
    this.intervals.length = 0;
    this.clearDue();
  }
}
