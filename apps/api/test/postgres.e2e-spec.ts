import { Client } from '@langchain/langgraph-sdk';
import { inCi, type RunningServer, startApiServer, waitFor } from '@runhook/testing';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

/**
 * The built server on PostgreSQL (DATABASE_URL=postgres://…), driven by the official SDK. Each run of
 * this file works in a schema of its own (search_path in the URL), dropped at the end.
 */
const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];

interface Message {
  type: string;
  content: string;
}

/** The URL with `search_path` set to `schema` for every connection the server opens. */
function withSchema(url: string, schema: string): string {
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

function describePostgres(title: string, body: (url: string) => void): void {
  if (TEST_DATABASE_URL) {
    describe(title, () => body(TEST_DATABASE_URL));
  } else if (inCi()) {
    describe(title, () => {
      it('has a database to test against', () => {
        throw new Error('TEST_DATABASE_URL is not set in CI: start PostgreSQL with tools/scripts/ci-postgres.sh and export its URL');
      });
    });
  } else {
    describe(`${title} (skipped: set TEST_DATABASE_URL, e.g. from tools/scripts/ci-postgres.sh)`, () => {
      it.skip('runs a stateful run on PostgreSQL', () => undefined);
    });
  }
}

describePostgres('the server on PostgreSQL', (url) => {
  const schema = `e2e_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: url, max: 1 });
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    // Two replicas starting together on an empty schema: the advisory lock makes them migrate once.
    servers.push(...(await Promise.all([0, 1].map(() => startApiServer({ databaseUrl: withSchema(url, schema) })))));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('answers /ok with a database check on both replicas', async () => {
    for (const server of servers) {
      const response = await fetch(`${server.url}/ok?check_db=1`);
      expect(response.status).toBe(200);
    }
  });

  it('runs a stateful run end to end; state and runs are shared through the database', async () => {
    const [first, second] = servers.map((server) => new Client({ apiUrl: server.url }));
    const thread = await first.threads.create({ metadata: { suite: 'postgres-e2e' } });
    const result = (await first.runs.wait(thread.thread_id, 'agent', {
      input: { messages: [{ role: 'human', content: 'hi' }] },
    })) as { messages: Message[] };
    expect(result.messages.at(-1)?.content).toBe('echo: hi');

    // The other replica reads the same thread, state and runs from PostgreSQL.
    const state = await second.threads.getState<{ messages: Message[] }>(thread.thread_id);
    expect(state.values.messages.map((m) => [m.type, m.content])).toEqual([
      ['human', 'hi'],
      ['ai', 'echo: hi'],
    ]);
    const runs = await second.runs.list(thread.thread_id);
    expect(runs.map((run) => run.status)).toEqual(['success']);
    expect((await second.threads.get(thread.thread_id)).status).toBe('idle');
    expect(await second.threads.search({ metadata: { suite: 'postgres-e2e' } })).toEqual([
      expect.objectContaining({ thread_id: thread.thread_id }),
    ]);

    // Everything landed in the test's schema: our tables and the official saver's.
    const stored = await admin.query(`SELECT status FROM "${schema}".runs WHERE thread_id = $1`, [thread.thread_id]);
    expect(stored.rows).toEqual([{ status: 'success' }]);
    const checkpoints = await admin.query(`SELECT COUNT(*)::int AS n FROM "${schema}".checkpoints WHERE thread_id = $1`, [thread.thread_id]);
    expect(checkpoints.rows[0].n).toBeGreaterThan(0);
    const migrations = await admin.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(migrations.rows.length).toBeGreaterThan(0);
  });

  it('stores crons in PostgreSQL: created on one replica, found on the other', async () => {
    const [first, second] = servers.map((server) => new Client({ apiUrl: server.url }));
    const thread = await first.threads.create();
    const cron = await first.crons.createForThread(thread.thread_id, 'agent', {
      schedule: '0 3 * * *',
      input: { messages: [{ role: 'human', content: 'nightly' }] },
    });
    const found = await second.crons.search({ threadId: thread.thread_id });
    expect(found.map((c) => c.cron_id)).toEqual([cron.cron_id]);
    await second.crons.delete(cron.cron_id);
    expect(await first.crons.search({ threadId: thread.thread_id })).toEqual([]);
  });

  it('two replica processes fire each scheduled time of a cron exactly once', async () => {
    const client = new Client({ apiUrl: servers[0].url });
    const threads = await Promise.all([0, 1, 2].map(() => client.threads.create()));
    const crons = await Promise.all(
      threads.map((thread) =>
        client.crons.createForThread(thread.thread_id, 'agent', { schedule: '*/1 * * * * *', input: { messages: [{ role: 'human', content: 'tick' }] } }),
      ),
    );
    const perSlot = async () =>
      (
        await admin.query<{ cron_id: string; slot: Date; n: number }>(
          `SELECT cron_id, cron_scheduled_at AS slot, COUNT(*)::int AS n FROM "${schema}".runs WHERE cron_id = ANY($1::text[]) GROUP BY 1, 2`,
          [crons.map((cron) => cron.cron_id)],
        )
      ).rows;
    await waitFor(async () => (await perSlot()).length >= 12, { timeoutMs: 20_000, message: 'four slots per cron' });
    await Promise.all(crons.map((cron) => client.crons.update(cron.cron_id, { enabled: false })));
    const rows = await perSlot();
    expect(rows.every((row) => row.n === 1)).toBe(true);
    for (const cron of crons) {
      const slots = rows.filter((row) => row.cron_id === cron.cron_id).map((row) => row.slot.getTime()).sort((a, b) => a - b);
      expect(slots.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(1000);
    }
  });

  it('wakes another replica at once (LISTEN/NOTIFY) when a run is created on an api-only replica', async () => {
    // Only these two replicas now: the executing one polls once a minute and renews leases every 20 s, so
    // only the notifications can get the run claimed and the cancel delivered within the test's time.
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    const apiOnly = await startApiServer({ databaseUrl: withSchema(url, schema), env: { RUNHOOK_ROLES: 'api' } });
    const executor = await startApiServer({ databaseUrl: withSchema(url, schema), env: { RUN_POLL_MS: '60000', RUN_LEASE_MS: '60000' } });
    servers.push(apiOnly, executor);
    const client = new Client({ apiUrl: apiOnly.url });
    const thread = await client.threads.create();
    const values = (await client.runs.wait(thread.thread_id, 'agent', { input: { messages: [{ role: 'human', content: 'ping' }] } })) as {
      messages: Message[];
    };
    expect(values.messages.at(-1)?.content).toBe('echo: ping');
    const run = (await client.runs.list(thread.thread_id))[0];
    const started = Date.now();
    const sleeper = await client.runs.create(thread.thread_id, 'agent', { input: { messages: [{ role: 'human', content: 'sleep 30000' }] } });
    await client.runs.cancel(thread.thread_id, sleeper.run_id);
    await client.runs.join(thread.thread_id, sleeper.run_id);
    // The cancel reached the executing replica through the notification, not its lease renewal.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.status).toBe('success');
  }, 60_000);
});
