import type { Run, RunStatus } from '@runhook/contracts';
import { toIso } from '../persistence/postgres/pg-pool';
import type { RunRecord } from './run-record';

export interface PgRunRow {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  created_at: Date;
  updated_at: Date;
  status: string;
  metadata: Record<string, unknown>;
  multitask_strategy: string;
  kwargs: Run['kwargs'];
  started_at: Date | null;
  ended_at: Date | null;
  attempt: number;
  error: RunRecord['error'];
  final_values: unknown;
  cron_id: string | null;
  cron_scheduled_at: Date | null;
}

export function pgRowToRun(row: PgRunRow): Run {
  return {
    run_id: row.run_id,
    thread_id: row.thread_id,
    assistant_id: row.assistant_id,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
    status: row.status as RunStatus,
    metadata: row.metadata ?? {},
    multitask_strategy: row.multitask_strategy as Run['multitask_strategy'],
    kwargs: row.kwargs ?? ({} as Run['kwargs']),
  };
}

export function pgRowToRecord(row: PgRunRow): RunRecord {
  return {
    ...pgRowToRun(row),
    attempt: row.attempt,
    started_at: toIso(row.started_at),
    ended_at: toIso(row.ended_at),
    error: row.error ?? null,
    final_values: row.final_values ?? null,
    ...(row.cron_id && row.cron_scheduled_at ? { cron: { cron_id: row.cron_id, scheduled_at: toIso(row.cron_scheduled_at) } } : {}),
  };
}

/** Columns a RunRecord needs (everything but the queue's owner/lease bookkeeping). */
export const RUN_COLUMNS =
  'run_id, thread_id, assistant_id, created_at, updated_at, status, metadata, multitask_strategy, kwargs, started_at, ended_at, attempt, error, final_values, cron_id, cron_scheduled_at';

/** RUN_COLUMNS of a `runs r` alias, for joins. */
export const RUN_COLUMNS_OF_R = RUN_COLUMNS.split(', ')
  .map((column) => `r.${column}`)
  .join(', ');
