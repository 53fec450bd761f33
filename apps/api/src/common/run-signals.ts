import { Injectable } from '@nestjs/common';

export type CancelListener = (runId: string, action: 'interrupt' | 'rollback') => void;

/**
 * In-process signals between the features that create or end runs (run endpoints, thread deletion,
 * crons) and whatever executes runs (this process's worker, and worker processes it relays to),
 * without those features depending on the worker.
 */
@Injectable()
export class RunSignals {
  private readonly cancelListeners = new Set<CancelListener>();
  private readonly wakeListeners = new Set<() => void>();
  private readonly endedListeners = new Set<(runId: string) => void>();

  onCancel(listener: CancelListener): () => void {
    this.cancelListeners.add(listener);
    return () => this.cancelListeners.delete(listener);
  }

  cancel(runId: string, action: 'interrupt' | 'rollback'): void {
    for (const listener of this.cancelListeners) listener(runId, action);
  }

  onWake(listener: () => void): () => void {
    this.wakeListeners.add(listener);
    return () => this.wakeListeners.delete(listener);
  }

  /** A run became claimable: workers should look now rather than at their next poll. */
  wake(): void {
    for (const listener of this.wakeListeners) listener();
  }

  onEnded(listener: (runId: string) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /** A run has ended and its end is committed: clients following it from elsewhere can read it now. */
  ended(runId: string): void {
    for (const listener of this.endedListeners) listener(runId);
  }
}
