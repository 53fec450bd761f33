import type { Cron } from '@runhook/contracts';
import type { RequestAuth } from '../auth/auth-handlers';
import type { CreateRunCommand, CreateRunResult } from '../runs/run-record';

/** A cron as stored: the wire object with its firing bookkeeping always present. */
export interface CronRecord extends Cron {
  last_fired_at: string | null;
  last_firing_lag_ms: number | null;
  /** The custom-auth caller who created the cron (null without custom auth): its firings run as this user. */
  auth_user: RequestAuth | null;
}

/**
 * One firing of a cron: unique per (cron_id, scheduled_at), which is what makes a slot fire once
 * however many schedulers tick. `status` says what the firing did.
 */
export interface CronFiring {
  cron_id: string;
  scheduled_at: string;
  fired_at: string;
  run_id: string | null;
  thread_id: string | null;
  /** Scheduled time to run created, in ms. */
  lag_ms: number;
  /** created: the run exists; busy: a `reject` thread cron found its thread busy; error: see `error`. */
  status: 'created' | 'busy' | 'error';
  catch_up: boolean;
  error: string | null;
}

export interface CronFilter {
  assistantId?: string;
  threadId?: string;
  enabled?: boolean;
  metadata?: Record<string, unknown>;
}

export interface CronPageRequest {
  limit: number;
  offset: number;
  sortBy: string;
  sortOrder: 'asc' | 'desc';
}

/** The cron as the scheduler read it; a firing only applies while the row is still exactly that. */
export interface CronVersion {
  cronId: string;
  nextRunDate: string;
  updatedAt: string;
}

export interface FireCommand {
  expected: CronVersion;
  scheduledAt: string;
  firedAt: string;
  lagMs: number;
  catchUp: boolean;
  /** The cron's next slot after this one; null ends the cron (with `expire`) or waits for a fix. */
  nextRunDate: string | null;
  /** end_time is reached: disable the cron (kept until retention ends). */
  expire: boolean;
  /** The run to create, built by the same code as `POST /runs`; null when building it failed (`error`). */
  run: CreateRunCommand | null;
  error: string | null;
}

export type FireResult =
  /** The firing is recorded; `run` says whether its run was created. */
  | { kind: 'fired'; run: CreateRunResult | null }
  /**
   * This (cron, scheduled time) was recorded before (by another scheduler, or before the cron was pointed back at
   * it). `advanced`: the cron still pointed at the slot and was moved past it, so the next slot can fire.
   */
  | { kind: 'duplicate'; advanced: boolean }
  /** The cron changed (patched, disabled, deleted, or advanced by another scheduler) since it was read. */
  | { kind: 'stale' };

export interface AdvanceCommand {
  expected: CronVersion;
  nextRunDate: string | null;
  expire: boolean;
}
