import type { CronFilter, CronFiring, CronPageRequest, CronRecord, AdvanceCommand, FireCommand, FireResult } from './cron-record';

/**
 * Storage port for crons and their firings. `fire` is the scheduler's claim: in one transaction it records
 * the firing under its unique (cron, scheduled time) key, creates the run and advances `next_run_date`.
 */
export abstract class CronsRepository {
  abstract insert(cron: CronRecord): Promise<void>;
  abstract get(cronId: string): Promise<CronRecord | null>;
  /** Writes the user-editable fields and `next_run_date`, leaving the firing bookkeeping alone. */
  abstract update(cron: CronRecord): Promise<CronRecord | null>;
  /** Deletes the cron and its firing history. */
  abstract delete(cronId: string): Promise<boolean>;
  abstract search(filter: CronFilter, page: CronPageRequest): Promise<{ items: CronRecord[]; total: number }>;
  abstract count(filter: CronFilter): Promise<number>;
  /** Enabled crons whose `next_run_date` is at or before `now`, oldest first. */
  abstract listDue(now: string, limit: number): Promise<CronRecord[]>;
  /** The earliest `next_run_date` of an enabled cron. */
  abstract nextDueAt(): Promise<string | null>;
  abstract fire(command: FireCommand): Promise<FireResult>;
  /** Moves `next_run_date` without firing (slots outside the catch-up window, end_time passed). */
  abstract advance(command: AdvanceCommand): Promise<boolean>;
  abstract listFirings(cronId: string, page: { limit: number; offset: number }): Promise<CronFiring[]>;
  /** Deletes crons whose end_time is before `endedBefore` and firings recorded before `firedBefore`. */
  abstract purge(endedBefore: string, firedBefore: string): Promise<{ crons: number; firings: number }>;
}
