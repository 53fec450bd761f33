import type { Config, Metadata } from '../common/common.types';

export const THREAD_STATUSES = ['idle', 'busy', 'interrupted', 'error'] as const;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

export interface Interrupt {
  id?: string;
  value: unknown;
  when?: string;
  resumable?: boolean;
  ns?: string[];
}

export interface Thread {
  thread_id: string;
  created_at: string;
  updated_at: string;
  state_updated_at: string;
  metadata: Metadata;
  status: ThreadStatus;
  config: Config;
  /** Latest state values; null before the first run. */
  values: Record<string, unknown> | null;
  /** Pending interrupts keyed by task id. */
  interrupts: Record<string, Interrupt[]>;
  /** Set when status is `error`. */
  error?: unknown;
  /** Only with `include=ttl` (get) or `select`/`include` naming it (search); null when none is set. */
  ttl?: ThreadTtl | null;
}

export const THREAD_TTL_STRATEGIES = ['delete', 'keep_latest'] as const;
export type ThreadTtlStrategy = (typeof THREAD_TTL_STRATEGIES)[number];

/** A thread's time to live: when it lapses, the thread is deleted (or pruned to its latest checkpoint). */
export interface ThreadTtl {
  strategy: ThreadTtlStrategy;
  /** Minutes from the last set (create or PATCH). */
  ttl: number;
  expires_at: string;
}

export interface Checkpoint {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  checkpoint_map: Record<string, unknown> | null;
}

/** A task's subgraph checkpoint: the id and map are absent until the subgraph has run. */
export type TaskCheckpoint = Pick<Checkpoint, 'thread_id' | 'checkpoint_ns'> & { checkpoint_id?: string; checkpoint_map?: Record<string, unknown> | null };

export interface ThreadTask {
  id: string;
  name: string;
  error: string | null;
  interrupts: Interrupt[];
  /** Where the task sits in the graph, e.g. `["__pregel_pull", "agent"]`. */
  path: (string | number)[] | null;
  checkpoint: TaskCheckpoint | null;
  /** With `subgraphs=true`, the subgraph's own state. */
  state: NestedThreadState | null;
  /** What the task wrote, once it has run; null before. */
  result: unknown;
}

/** A subgraph's state nested in a task: a thread state without the thread-level `interrupts`. */
export type NestedThreadState = Omit<ThreadState, 'interrupts'>;

export interface ThreadState {
  values: unknown;
  next: string[];
  tasks: ThreadTask[];
  checkpoint: Checkpoint;
  metadata: Record<string, unknown> | null;
  created_at: string | null;
  parent_checkpoint: Checkpoint | null;
  interrupts: Interrupt[];
}

export const THREAD_SORT_FIELDS = ['thread_id', 'status', 'created_at', 'updated_at', 'state_updated_at'] as const;
export type ThreadSortField = (typeof THREAD_SORT_FIELDS)[number];

/** `keep_latest` keeps each thread's newest checkpoint; `delete` removes the threads. */
export const PRUNE_STRATEGIES = ['delete', 'keep_latest'] as const;
export type PruneStrategy = (typeof PRUNE_STRATEGIES)[number];
