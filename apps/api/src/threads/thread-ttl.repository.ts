import type { ThreadTtl, ThreadTtlStrategy } from '@runhook/contracts';

export interface DueThread {
  thread_id: string;
  strategy: ThreadTtlStrategy;
  ttl: number;
}

/** Storage port for threads' time to live (columns of the thread row, so deleting a thread drops it). */
export abstract class ThreadTtlRepository {
  /** Sets (or with null clears) the thread's TTL; false when there is no such thread. */
  abstract set(threadId: string, ttl: ThreadTtl | null): Promise<boolean>;
  /** The TTLs of those threads that have one. */
  abstract getMany(threadIds: string[]): Promise<Map<string, ThreadTtl>>;
  /** Threads whose TTL lapsed at or before `now`, oldest first. */
  abstract listDue(now: string, limit: number): Promise<DueThread[]>;
}
