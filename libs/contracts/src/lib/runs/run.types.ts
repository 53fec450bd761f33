import type { Config, Metadata } from '../common/common.types';

export const RUN_STATUSES = ['pending', 'running', 'error', 'success', 'timeout', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const MULTITASK_STRATEGIES = ['reject', 'interrupt', 'rollback', 'enqueue'] as const;
export type MultitaskStrategy = (typeof MULTITASK_STRATEGIES)[number];

export const STREAM_MODES = [
  'values',
  'messages',
  'messages-tuple',
  'updates',
  'events',
  'debug',
  'tasks',
  'checkpoints',
  'custom',
  'tools',
  'lifecycle',
] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

export const DURABILITIES = ['sync', 'async', 'exit'] as const;
export type Durability = (typeof DURABILITIES)[number];

/** Stateful runs only: what to do when the thread does not exist. */
export const IF_NOT_EXISTS_ACTIONS = ['reject', 'create'] as const;
export type IfNotExists = (typeof IF_NOT_EXISTS_ACTIONS)[number];

/**
 * Stateless runs only: `delete`/`keep` the temporary thread. The SDK types say
 * `complete`/`continue`, so those are accepted too and mean the default.
 */
export const ON_COMPLETION_ACTIONS = ['delete', 'keep', 'complete', 'continue'] as const;
export type OnCompletion = (typeof ON_COMPLETION_ACTIONS)[number];

export const ON_DISCONNECT_ACTIONS = ['cancel', 'continue'] as const;
export type OnDisconnect = (typeof ON_DISCONNECT_ACTIONS)[number];

export interface RunCommand {
  update?: unknown;
  resume?: unknown;
  goto?: unknown;
}

/** The run request as the worker executes it (`Run.kwargs`). */
export interface RunKwargs {
  input?: unknown;
  command?: RunCommand | null;
  /** assistant config ⊕ thread config ⊕ request config. */
  config: Config;
  context?: Record<string, unknown> | null;
  stream_mode: StreamMode[];
  interrupt_before?: '*' | string[] | null;
  interrupt_after?: '*' | string[] | null;
  webhook?: string | null;
  feedback_keys?: string[] | null;
  /** Stateless run whose thread is deleted afterwards. */
  temporary: boolean;
  /** = stream_subgraphs */
  subgraphs: boolean;
  /** = stream_resumable */
  resumable: boolean;
  checkpoint_during?: boolean | null;
  durability?: string | null;
  on_disconnect?: string | null;
  [key: string]: unknown;
}

export interface Run {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  /** Queue ordering key: creation time + after_seconds. */
  created_at: string;
  updated_at: string;
  status: RunStatus;
  metadata: Metadata;
  multitask_strategy: MultitaskStrategy;
  kwargs: RunKwargs;
}

/** Why a run failed: exception class name and message. */
export interface RunError {
  error: string;
  message: string;
}
