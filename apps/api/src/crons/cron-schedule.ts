import { CronExpressionParser } from 'cron-parser';

/** A schedule as stored on a cron: the expression and the IANA zone it is read in (null = UTC). */
export interface CronSchedule {
  schedule: string;
  timezone: string | null;
}

/** Why a schedule or zone is refused; the API turns it into a 422 naming the field. */
export class CronScheduleError extends Error {}

const MACRO = /^@(yearly|annually|monthly|weekly|daily|hourly|minutely|secondly|weekdays|weekends)$/i;

/** Accepts the standard 5 fields, a leading seconds field (6), or one of the library's @macros. */
export function assertSchedule(schedule: string): void {
  const trimmed = schedule.trim();
  const fields = trimmed.split(/\s+/).length;
  if (!MACRO.test(trimmed) && fields !== 5 && fields !== 6) {
    throw new CronScheduleError(`Invalid cron schedule "${schedule}": expected 5 fields (min hour dom mon dow) or 6 with seconds first`);
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: 'UTC', strict: false }).next();
  } catch (error) {
    throw new CronScheduleError(`Invalid cron schedule "${schedule}": ${(error as Error).message}`);
  }
}

export function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new CronScheduleError(`Invalid timezone "${timezone}": expected an IANA zone such as Europe/Berlin`);
  }
}

type CronIterator = ReturnType<typeof CronExpressionParser.parse>;
const parsed = new Map<string, CronIterator>();
const MAX_PARSED = 2_000;

/**
 * A parsed schedule positioned at `currentMs`. Parsing costs far more than stepping, and a busy minute fires
 * many crons sharing a few schedules, so parses are reused (callers use the iterator synchronously).
 */
function expression(cron: CronSchedule, currentMs: number): CronIterator {
  const key = `${cron.timezone ?? 'UTC'} ${cron.schedule.trim()}`;
  let iterator = parsed.get(key);
  if (!iterator) {
    iterator = CronExpressionParser.parse(cron.schedule.trim(), { currentDate: new Date(currentMs), tz: cron.timezone ?? 'UTC' });
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(key, iterator);
  }
  iterator.reset(new Date(currentMs));
  return iterator;
}

/**
 * The first slot strictly after `afterMs`, as UTC epoch ms; null when the expression never fires again.
 * Daylight-saving gaps and repeats are the library's: a wall time skipped by a gap fires just after it,
 * a wall time that occurs twice fires once.
 */
export function nextSlot(cron: CronSchedule, afterMs: number): number | null {
  try {
    return expression(cron, afterMs).next().getTime();
  } catch {
    return null;
  }
}

/** The latest slot at or before `atMs`. */
export function latestSlot(cron: CronSchedule, atMs: number): number | null {
  try {
    return expression(cron, atMs + 1).prev().getTime();
  } catch {
    return null;
  }
}

export interface FiringPolicy {
  catchupWindowMs: number;
  misfireGraceMs: number;
  /** Upper bound of slots fired for one cron in one tick. */
  maxSlots: number;
}

export interface DueCron extends CronSchedule {
  next_run_date: string;
  end_time: string | null;
}

export interface FiringPlan {
  /** Slots to fire now, oldest first (epoch ms). */
  slots: number[];
  /** The slots fire as a catch-up after downtime (only the latest missed one). */
  catchUp: boolean;
  /** Slots that were due but will never fire (outside the catch-up window, or collapsed by it). */
  dropped: number;
  /** The slot after the fired ones; null when the cron has ended. */
  nextRunMs: number | null;
  /** end_time has passed: the cron is disabled and kept until retention ends. */
  expired: boolean;
}

function countSlots(cron: CronSchedule, fromMs: number, toMs: number, cap: number): number {
  let count = 0;
  for (let slot = nextSlot(cron, fromMs - 1); slot !== null && slot <= toMs && count < cap; slot = nextSlot(cron, slot)) count++;
  return count;
}

/**
 * What a due cron fires at `nowMs`. Slots missed by less than the grace all fire (a slow tick or a restart
 * loses nothing); a backlog older than that is downtime: it fires once, for the latest missed slot, when
 * that slot is inside the catch-up window, and then the cron resumes its schedule. No storm either way.
 */
export function planFirings(cron: DueCron, nowMs: number, policy: FiringPolicy): FiringPlan {
  const dueMs = Date.parse(cron.next_run_date);
  const endMs = cron.end_time === null ? null : Date.parse(cron.end_time);
  let slots: number[] = [];
  let catchUp = false;
  let dropped = 0;
  let nextRunMs: number | null = null;
  if (dueMs < nowMs - policy.misfireGraceMs) {
    const latest = latestSlot(cron, nowMs);
    const missed = countSlots(cron, dueMs, nowMs, 1_000);
    if (latest !== null && nowMs - latest <= policy.catchupWindowMs) {
      slots = [latest];
      catchUp = true;
      dropped = Math.max(0, missed - 1);
    } else {
      dropped = missed;
    }
  } else {
    // One iterator for the due slots and the one after: parsing dominates the cost of a busy minute.
    let upcoming: number | null = null;
    try {
      const slotsFrom = expression(cron, dueMs - 1);
      for (;;) {
        const slot = slotsFrom.next().getTime();
        if (slot > nowMs || slots.length >= policy.maxSlots) {
          upcoming = slot;
          break;
        }
        slots.push(slot);
      }
    } catch {
      upcoming = null;
    }
    nextRunMs = upcoming;
  }
  const inTime = endMs === null ? slots : slots.filter((slot) => slot <= endMs);
  dropped += slots.length - inTime.length;
  if (catchUp || slots.length === 0) nextRunMs = nextSlot(cron, Math.max(inTime.at(-1) ?? nowMs, nowMs));
  const expired = endMs !== null && (nextRunMs === null || nextRunMs > endMs);
  if (expired) nextRunMs = null;
  return { slots: inTime, catchUp, dropped, nextRunMs, expired };
}
