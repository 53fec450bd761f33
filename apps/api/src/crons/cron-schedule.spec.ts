import { CronScheduleError, assertSchedule, assertTimezone, latestSlot, nextSlot, planFirings, type FiringPolicy } from './cron-schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const policy: FiringPolicy = { catchupWindowMs: 3_600_000, misfireGraceMs: 10_000, maxSlots: 60 };

describe('cron schedule maths', () => {
  describe('validation', () => {
    it.each(['*/5 * * * *', '0 9 * * 1-5', '*/1 * * * * *', '30 0 12 * * *', '@daily'])('accepts %s', (schedule) => {
      expect(() => assertSchedule(schedule)).not.toThrow();
    });

    it.each(['* * * *', '* * * * * * *', '61 * * * *', 'every minute', '0 0 30 2 *', ''])('refuses %p naming the schedule', (schedule) => {
      expect(() => assertSchedule(schedule)).toThrow(CronScheduleError);
      expect(() => assertSchedule(schedule)).toThrow(/Invalid cron schedule/);
    });

    it('accepts IANA zones and refuses others', () => {
      expect(() => assertTimezone('Europe/Berlin')).not.toThrow();
      expect(() => assertTimezone('UTC')).not.toThrow();
      expect(() => assertTimezone('Mars/Olympus')).toThrow(/Invalid timezone "Mars\/Olympus"/);
    });
  });

  describe('next and latest slot', () => {
    it('reads 5 fields in UTC by default', () => {
      expect(iso(nextSlot({ schedule: '*/5 * * * *', timezone: null }, at('2026-01-01T10:02:30Z')))).toBe('2026-01-01T10:05:00.000Z');
      // Strictly after: a slot at exactly now is not "next".
      expect(iso(nextSlot({ schedule: '*/5 * * * *', timezone: null }, at('2026-01-01T10:05:00Z')))).toBe('2026-01-01T10:10:00.000Z');
      expect(iso(latestSlot({ schedule: '*/5 * * * *', timezone: null }, at('2026-01-01T10:05:00Z')))).toBe('2026-01-01T10:05:00.000Z');
    });

    it('reads a leading seconds field', () => {
      const cron = { schedule: '*/1 * * * * *', timezone: null };
      expect(iso(nextSlot(cron, at('2026-01-01T10:00:00.400Z')))).toBe('2026-01-01T10:00:01.000Z');
      expect(iso(nextSlot({ schedule: '15 * * * * *', timezone: null }, at('2026-01-01T10:00:20Z')))).toBe('2026-01-01T10:01:15.000Z');
    });

    it('reads the schedule in its timezone', () => {
      const cron = { schedule: '0 9 * * *', timezone: 'America/New_York' };
      expect(iso(nextSlot(cron, at('2026-01-15T00:00:00Z')))).toBe('2026-01-15T14:00:00.000Z');
      expect(iso(nextSlot(cron, at('2026-07-15T00:00:00Z')))).toBe('2026-07-15T13:00:00.000Z');
    });

    it('fires a wall time skipped by a DST gap once, just after the gap', () => {
      // Europe/Berlin jumps 02:00 → 03:00 on 2026-03-29: 02:30 does not exist that day.
      const cron = { schedule: '30 2 * * *', timezone: 'Europe/Berlin' };
      const first = nextSlot(cron, at('2026-03-28T12:00:00Z'));
      expect(iso(first)).toBe('2026-03-29T01:30:00.000Z');
      expect(iso(nextSlot(cron, first as number))).toBe('2026-03-30T00:30:00.000Z');
    });

    it('fires a wall time repeated by a DST fall-back once', () => {
      // Europe/Berlin repeats 02:00–03:00 on 2026-10-25.
      const cron = { schedule: '30 2 * * *', timezone: 'Europe/Berlin' };
      const slots: string[] = [];
      let cursor = at('2026-10-24T12:00:00Z');
      for (let i = 0; i < 3; i++) {
        cursor = nextSlot(cron, cursor) as number;
        slots.push(iso(cursor) as string);
      }
      expect(slots).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']);
    });

    it('keeps slots strictly increasing through the repeated hour', () => {
      const cron = { schedule: '*/30 * * * *', timezone: 'Europe/Berlin' };
      let cursor = at('2026-10-24T23:00:00Z');
      const seen: number[] = [];
      for (let i = 0; i < 8; i++) seen.push((cursor = nextSlot(cron, cursor) as number));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    });
  });

  describe('planFirings (a controllable now, no sleeping)', () => {
    const minutely = { schedule: '* * * * *', timezone: null, end_time: null };

    it('fires the due slot and advances to the next one after now', () => {
      const plan = planFirings({ ...minutely, next_run_date: '2026-01-01T10:00:00.000Z' }, at('2026-01-01T10:00:00.300Z'), policy);
      expect(plan.slots.map(iso)).toEqual(['2026-01-01T10:00:00.000Z']);
      expect(iso(plan.nextRunMs)).toBe('2026-01-01T10:01:00.000Z');
      expect(plan).toMatchObject({ catchUp: false, dropped: 0, expired: false });
    });

    it('fires every slot a late tick missed within the grace (per-second cron)', () => {
      const cron = { schedule: '*/1 * * * * *', timezone: null, end_time: null, next_run_date: '2026-01-01T10:00:01.000Z' };
      const plan = planFirings(cron, at('2026-01-01T10:00:03.200Z'), policy);
      expect(plan.slots.map(iso)).toEqual(['2026-01-01T10:00:01.000Z', '2026-01-01T10:00:02.000Z', '2026-01-01T10:00:03.000Z']);
      expect(iso(plan.nextRunMs)).toBe('2026-01-01T10:00:04.000Z');
    });

    it('after downtime fires once, for the latest missed slot, then resumes: no storm', () => {
      const cron = { schedule: '*/5 * * * *', timezone: null, end_time: null, next_run_date: '2026-01-01T10:00:00.000Z' };
      const plan = planFirings(cron, at('2026-01-01T10:42:10Z'), policy);
      expect(plan.slots.map(iso)).toEqual(['2026-01-01T10:40:00.000Z']);
      expect(plan.catchUp).toBe(true);
      expect(plan.dropped).toBe(8);
      expect(iso(plan.nextRunMs)).toBe('2026-01-01T10:45:00.000Z');
    });

    it('does not catch up a slot older than the catch-up window', () => {
      const cron = { schedule: '0 * * * *', timezone: null, end_time: null, next_run_date: '2026-01-01T08:00:00.000Z' };
      const plan = planFirings(cron, at('2026-01-01T11:30:00Z'), { ...policy, catchupWindowMs: 15 * 60_000 });
      expect(plan.slots).toEqual([]);
      expect(plan.dropped).toBe(4);
      expect(iso(plan.nextRunMs)).toBe('2026-01-01T12:00:00.000Z');
    });

    it('stops at end_time and marks the cron expired', () => {
      const cron = { ...minutely, end_time: '2026-01-01T10:00:30.000Z', next_run_date: '2026-01-01T10:00:00.000Z' };
      const plan = planFirings(cron, at('2026-01-01T10:00:00.100Z'), policy);
      expect(plan.slots.map(iso)).toEqual(['2026-01-01T10:00:00.000Z']);
      expect(plan).toMatchObject({ nextRunMs: null, expired: true });
    });

    it('fires nothing for a slot after end_time', () => {
      const cron = { ...minutely, end_time: '2026-01-01T09:59:30.000Z', next_run_date: '2026-01-01T10:00:00.000Z' };
      const plan = planFirings(cron, at('2026-01-01T10:00:00.100Z'), policy);
      expect(plan).toMatchObject({ slots: [], dropped: 1, nextRunMs: null, expired: true });
    });

    it('bounds the slots fired in one pass', () => {
      const cron = { schedule: '* * * * * *', timezone: null, end_time: null, next_run_date: '2026-01-01T10:00:00.000Z' };
      const plan = planFirings(cron, at('2026-01-01T10:00:09.500Z'), { ...policy, maxSlots: 4 });
      expect(plan.slots).toHaveLength(4);
      // The rest is still due: the next pass continues from there rather than skipping to now.
      expect(iso(plan.nextRunMs)).toBe('2026-01-01T10:00:04.000Z');
    });
  });
});
