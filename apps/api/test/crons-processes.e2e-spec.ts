import { Client } from '@langchain/langgraph-sdk';
import { waitFor } from '@runhook/testing';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { describeWithPrivatePostgres, type PrivatePostgres, startPrivatePostgres } from './support/private-postgres';
import { ProcessFleet } from './support/process-fleet';
import { HUMAN } from './support/webhook-e2e';

/**
 * Each (cron, scheduled time) fires exactly once with real OS processes on one database: two schedulers
 * (`node dist/apps/api/main.js`) race for every slot of three every-second crons, and a third replica, whose clock
 * is 8 s behind, patches the crons. Its patch computes `next_run_date` from its own clock, so it points the crons back
 * at slots that have fired: the schedulers then claim those slots with a fresh version of the cron, which the
 * compare-and-set on the cron accepts. Only the unique (cron, scheduled time) key stops those second firings, and
 * the crons must go on firing after it did.
 */
const SKEW_MS = -8_000;
const CLOCK_SKEW = join(__dirname, 'support/clock-skew.cjs');
const ENV = { CRON_TICK_MS: '200' };

interface SlotCount {
  cron_id: string;
  slot: number;
  n: number;
}

/** Firings recorded per (cron, scheduled time), read from the store itself. */
function firingCounter(databaseUrl: string): { count: (cronIds: string[]) => Promise<SlotCount[]>; close: () => Promise<void> } {
  const sql = 'SELECT cron_id, scheduled_at AS slot, COUNT(*) AS n FROM cron_firings WHERE cron_id IN (SELECT value FROM ids) GROUP BY 1, 2';
  if (databaseUrl.startsWith('postgres')) {
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    return {
      count: async (cronIds) =>
        (
          await pool.query<{ cron_id: string; slot: Date; n: number }>(
            `WITH ids(value) AS (SELECT unnest($1::text[])) ${sql.replace('COUNT(*)', 'COUNT(*)::int')}`,
            [cronIds],
          )
        ).rows.map((row) => ({ ...row, slot: row.slot.getTime() })),
      close: () => pool.end(),
    };
  }
  const db = new Database(databaseUrl, { readonly: true, fileMustExist: true });
  return {
    count: async (cronIds) =>
      (db.prepare(`WITH ids(value) AS (SELECT value FROM json_each(?)) ${sql}`).all(JSON.stringify(cronIds)) as { cron_id: string; slot: string; n: number }[]).map(
        (row) => ({ ...row, slot: Date.parse(row.slot) }),
      ),
    close: async () => {
      db.close();
    },
  };
}

async function exactlyOnce(databaseUrl: string): Promise<void> {
  const fleet = new ProcessFleet();
  let counter: ReturnType<typeof firingCounter> | undefined;
  try {
    const first = await fleet.start('scheduler', { databaseUrl, env: ENV });
    const [, behind] = await Promise.all([
      fleet.start('scheduler', { databaseUrl, env: ENV }),
      fleet.start('behind', {
        databaseUrl,
        env: { ...ENV, RUNHOOK_ROLES: 'api', RUNHOOK_TEST_CLOCK_SKEW_MS: String(SKEW_MS), NODE_OPTIONS: `--require ${CLOCK_SKEW}` },
      }),
    ]);
    counter = firingCounter(databaseUrl);
    const client = new Client({ apiUrl: first.url });
    const crons = await Promise.all([0, 1, 2].map(() => client.crons.create('agent', { schedule: '* * * * * *', input: HUMAN('tick') })));
    const ids = crons.map((cron) => cron.cron_id);
    const slotsOf = (rows: SlotCount[], cronId: string) => rows.filter((row) => row.cron_id === cronId).map((row) => row.slot);
    await waitFor(async () => {
      const rows = await (counter as ReturnType<typeof firingCounter>).count(ids);
      return ids.every((id) => slotsOf(rows, id).length >= 3);
    }, { timeoutMs: 30_000, message: 'three firings per cron' });

    // The patch from the replica whose clock is behind points each cron back at slots that have fired.
    const behindClient = new Client({ apiUrl: behind.url });
    const patched = await Promise.all(ids.map((id) => behindClient.crons.update(id, { metadata: { patched: true } })));
    // Slots fire in order, so a next_run_date before the latest fired slot is one that has fired.
    const fired = await counter.count(ids);
    for (const cron of patched) expect(Date.parse(cron.next_run_date as string)).toBeLessThan(Math.max(...slotsOf(fired, cron.cron_id)));
    const patchedAt = Date.now();
    // The crons go on: each fires slots later than the patch, past the ones it had fired already.
    await waitFor(async () => {
      const rows = await (counter as ReturnType<typeof firingCounter>).count(ids);
      return ids.every((id) => slotsOf(rows, id).some((slot) => slot >= patchedAt + 2_000));
    }, { timeoutMs: 30_000, message: 'firings after the patch' });
    await Promise.all(ids.map((id) => client.crons.update(id, { enabled: false })));

    const rows = await counter.count(ids);
    expect(rows.filter((row) => row.n !== 1)).toEqual([]);
    for (const id of ids) {
      const slots = slotsOf(rows, id).sort((a, b) => a - b);
      for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(1_000);
    }
    expect(fleet.unexpectedExits).toEqual([]);
  } catch (error) {
    process.stderr.write(fleet.outputs());
    throw error;
  } finally {
    await counter?.close();
    await fleet.stopAll();
  }
}

describe('cron exactly once with real OS processes, on SQLite', () => {
  it('fires each (cron, scheduled time) once across two schedulers and a replica whose clock is behind', async () => {
    await exactlyOnce(join(mkdtempSync(join(tmpdir(), 'runhook-crons-')), 'store.sqlite'));
  }, 180_000);
});

describeWithPrivatePostgres('cron exactly once with real OS processes, on PostgreSQL', (bin) => {
  let postgres: PrivatePostgres | undefined;

  afterAll(async () => {
    await postgres?.stop();
  });

  it('fires each (cron, scheduled time) once across two schedulers and a replica whose clock is behind', async () => {
    postgres = await startPrivatePostgres(bin);
    await exactlyOnce(postgres.url);
  }, 180_000);
});
