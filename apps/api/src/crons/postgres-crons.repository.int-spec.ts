import { randomUUID } from 'node:crypto';
import { createCommand, makeRun, makeThread } from '../persistence/testing/builders';
import { describePostgresStore, type StoreFixture } from '../persistence/testing/store-fixture';
import { cronRecord, describeCronsRepository } from './crons.repository.behaviour';
import { PostgresCronsRepository } from './postgres-crons.repository';

function cronsOn(store: StoreFixture): PostgresCronsRepository {
  const pool = store.postgres?.pool;
  if (!pool) throw new Error('the PostgreSQL fixture has no pool');
  return new PostgresCronsRepository(pool, store.runs);
}

// The SQLite run of the suite is sqlite-crons.repository.int-spec.ts.
describePostgresStore((factory) => {
  describeCronsRepository('PostgreSQL', async () => {
    const store = await factory();
    return { crons: cronsOn(store), threads: store.threads, runs: store.runs, close: store.close };
  });

  describe('CronsRepository on PostgreSQL, schedulers racing', () => {
    let store: StoreFixture;
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('fires a slot once when several schedulers fire it at the same moment', async () => {
      const crons = cronsOn(store);
      const cron = cronRecord();
      await crons.insert(cron);
      const fire = () => {
        const thread = makeThread({ thread_id: randomUUID() });
        const run = makeRun(thread.thread_id);
        return crons.fire({
          expected: { cronId: cron.cron_id, nextRunDate: cron.next_run_date as string, updatedAt: cron.updated_at },
          scheduledAt: cron.next_run_date as string,
          firedAt: '2026-01-01T10:00:00.050Z',
          lagMs: 50,
          catchUp: false,
          nextRunDate: '2026-01-01T10:01:00.000Z',
          expire: false,
          run: createCommand(run, { threadToCreate: thread }),
          error: null,
        });
      };
      const results = await Promise.all([fire(), fire(), fire(), fire()]);
      expect(results.filter((result) => result.kind === 'fired')).toHaveLength(1);
      expect(results.filter((result) => result.kind !== 'fired').every((result) => ['duplicate', 'stale'].includes(result.kind))).toBe(true);
      expect(await crons.listFirings(cron.cron_id, { limit: 10, offset: 0 })).toHaveLength(1);
    });
  });
});
