import type { Interrupt, Thread, ThreadStatus } from '@runhook/contracts';

export interface ThreadFilter {
  ids?: string[];
  metadata?: Record<string, unknown>;
  status?: ThreadStatus;
  values?: Record<string, unknown>;
}

export interface ThreadPage {
  items: Thread[];
  total: number;
}

/** What a run's creation reads of its thread: everything but its state, which can be the whole message list. */
export type ThreadHead = Pick<Thread, 'thread_id' | 'status' | 'metadata' | 'config'>;

export interface ThreadStateUpdate {
  values: Record<string, unknown> | null;
  interrupts: Record<string, Interrupt[]>;
  status?: ThreadStatus;
  now: string;
}

/** Storage port for threads (their row; checkpoints live in the LangGraph saver). */
export abstract class ThreadsRepository {
  /** Returns null when a thread with that id exists already. */
  abstract insert(thread: Thread): Promise<Thread | null>;
  abstract get(threadId: string): Promise<Thread | null>;
  /** The thread without its values or interrupts (neither read nor parsed). */
  abstract getHead(threadId: string): Promise<ThreadHead | null>;
  abstract patchMetadata(threadId: string, metadata: Record<string, unknown>, now: string): Promise<Thread | null>;
  /**
   * Deletes the thread and its runs; `keepRuns` keeps the runs' rows (a stateless run's temporary
   * thread goes, its run stays readable until `RunsRepository.purgeDetached`).
   */
  abstract delete(threadId: string, options?: { keepRuns?: boolean }): Promise<boolean>;
  abstract search(
    filter: ThreadFilter,
    page: { limit: number; offset: number; sortBy: string; sortOrder: 'asc' | 'desc' },
  ): Promise<ThreadPage>;
  abstract count(filter: ThreadFilter): Promise<number>;
  abstract saveState(threadId: string, update: ThreadStateUpdate): Promise<void>;
  /** Whether the thread has a pending or running run. */
  abstract hasActiveRun(threadId: string): Promise<boolean>;
}
