import type { Run, RunStatus } from '@runhook/contracts';
import { parseJson } from '../common/json';
import type { RunRecord } from './run-record';

/** A `runs` row as SQLite returns it: JSON columns as text. */
export interface RunRow {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  created_at: string;
  updated_at: string;
  status: string;
  metadata: string;
  multitask_strategy: string;
  kwargs: string;
  started_at: string | null;
  ended_at: string | null;
  attempt: number;
  /** Attempts handed back at shutdown: they do not count against RUN_MAX_ATTEMPTS. */
  released_attempts?: number;
  error: string | null;
  final_values: string | null;
  cron_id: string | null;
  cron_scheduled_at: string | null;
}

export function toRun(row: RunRow): Run {
  return {
    run_id: row.run_id,
    thread_id: row.thread_id,
    assistant_id: row.assistant_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    status: row.status as RunStatus,
    metadata: parseJson(row.metadata, {}),
    multitask_strategy: row.multitask_strategy as Run['multitask_strategy'],
    kwargs: parseJson(row.kwargs, {} as Run['kwargs']),
  };
}

export function toRecord(row: RunRow): RunRecord {
  return {
    ...toRun(row),
    attempt: row.attempt,
    started_at: row.started_at,
    ended_at: row.ended_at,
    error: parseJson(row.error, null),
    final_values: parseJson(row.final_values, null),
    ...(row.cron_id && row.cron_scheduled_at ? { cron: { cron_id: row.cron_id, scheduled_at: row.cron_scheduled_at } } : {}),
  };
}
