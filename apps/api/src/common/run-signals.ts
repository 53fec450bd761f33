import { Injectable } from '@nestjs/common';

export type CancelListener = (runId: string, action: 'interrupt' | 'rollback') => void;

/**
 * In-process signal from features that end runs (thread deletion, cancel endpoints) to the worker
 * executing them, without those features depending on the worker.
 */
@Injectable()
export class RunSignals {
  private readonly listeners = new Set<CancelListener>();

  onCancel(listener: CancelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  cancel(runId: string, action: 'interrupt' | 'rollback'): void {
    for (const listener of this.listeners) listener(runId, action);
  }
}
