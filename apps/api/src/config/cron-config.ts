/** How the scheduler fires crons; read once at start like every setting. */
export interface CronSettings {
  /** After downtime, the latest missed slot still fires once if it is at most this old (CRON_CATCHUP_WINDOW_SECONDS). */
  catchupWindowMs: number;
  /**
   * Missed slots younger than this all fire, one firing each: a late tick or a quick restart loses nothing.
   * A backlog reaching further back is downtime and collapses into one catch-up firing (CRON_MISFIRE_GRACE_SECONDS).
   */
  misfireGraceMs: number;
  /** How long a cron past its end_time stays (disabled) before it is purged; also the firing history's age (CRON_RETENTION_DAYS). */
  retentionMs: number;
  /** The scheduler's polling tick (CRON_TICK_MS); between ticks it also wakes exactly when the next cron is due. */
  tickMs: number;
}

type ReadInteger = (key: string, fallback: number, min: number, max: number) => number;

export function loadCronSettings(integer: ReadInteger): CronSettings {
  return {
    catchupWindowMs: integer('CRON_CATCHUP_WINDOW_SECONDS', 3600, 0, 31_536_000) * 1000,
    misfireGraceMs: integer('CRON_MISFIRE_GRACE_SECONDS', 10, 0, 3600) * 1000,
    retentionMs: integer('CRON_RETENTION_DAYS', 7, 0, 3650) * 86_400_000,
    tickMs: integer('CRON_TICK_MS', 1_000, 50, 60_000),
  };
}
