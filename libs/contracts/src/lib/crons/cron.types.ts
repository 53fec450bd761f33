import type { Metadata } from '../common/common.types';

/** Stateless crons only: keep or delete the thread each firing creates. */
export const ON_RUN_COMPLETED_ACTIONS = ['delete', 'keep'] as const;
export type OnRunCompleted = (typeof ON_RUN_COMPLETED_ACTIONS)[number];

export interface Cron {
  cron_id: string;
  assistant_id: string;
  /** null for a stateless cron (a new thread per firing). */
  thread_id: string | null;
  schedule: string;
  /** IANA zone; null means UTC. */
  timezone: string | null;
  end_time: string | null;
  enabled: boolean;
  on_run_completed: OnRunCompleted | null;
  /** The stored run fields, replayed at each firing. */
  payload: Record<string, unknown>;
  metadata: Metadata;
  user_id: string | null;
  next_run_date: string | null;
  created_at: string;
  updated_at: string;
  /** How late the last firing started, in ms. */
  last_firing_lag_ms?: number | null;
  last_fired_at?: string | null;
}

export const CRON_SORT_FIELDS = [
  'cron_id',
  'assistant_id',
  'thread_id',
  'next_run_date',
  'end_time',
  'created_at',
  'updated_at',
] as const;
export type CronSortField = (typeof CRON_SORT_FIELDS)[number];
