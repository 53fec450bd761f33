import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ManualClock } from '@runhook/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppModule } from '../app.module';
import { RunhookMetrics } from '../observability/runhook-metrics';
import { Auth } from '@langchain/langgraph-sdk/auth';
import { AssistantsService } from '../assistants/assistants.service';
import { AuthContext } from '../auth/auth-context';
import { AuthService } from '../auth/auth.service';
import { loadAppConfig } from '../config/app-config';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import { RunsRepository } from '../runs/runs.repository';
import { ThreadsRepository } from '../threads/threads.repository';
import { CronScheduler } from './cron-scheduler.service';
import { CronsRepository } from './crons.repository';
import { CronsService } from './crons.service';

const REPO = resolve(__dirname, '../../../..');

interface Instance {
  app: INestApplicationContext;
  clock: ManualClock;
  crons: CronsService;
  sut: CronScheduler;
  repository: CronsRepository;
  runs: RunsRepository;
  threads: ThreadsRepository;
  db: SqliteConnection;
}

/** The whole app on a real SQLite file, without its timers (no scheduler or worker role): the test ticks by hand. */
async function start(file: string, now: string): Promise<Instance> {
  const config = loadAppConfig({ DATABASE_URL: file, RUNHOOK_ROLES: 'api', RUNHOOK_CONFIG: join(REPO, 'langgraph.json') }, REPO);
  const clock = new ManualClock(Date.parse(now));
  // No HTTP and no graph imports: the scheduler only needs the stores and the run rules.
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { clock }), { logger: ['error'] });
  await app.get(AssistantsService).ensureSystemAssistants();
  return {
    app,
    clock,
    crons: app.get(CronsService),
    sut: app.get(CronScheduler),
    repository: app.get(CronsRepository),
    runs: app.get(RunsRepository),
    threads: app.get(ThreadsRepository),
    db: app.get(SQLITE),
  };
}

function firingsPerSlot(db: SqliteConnection, cronId: string): Record<string, number> {
  const rows = db
    .prepare("SELECT json_extract(metadata, '$.cron_scheduled_at') AS scheduled_at, COUNT(*) AS n FROM runs WHERE json_extract(metadata, '$.cron_id') = ? GROUP BY 1")
    .all(cronId);
  return Object.fromEntries((rows as { scheduled_at: string; n: number }[]).map((row) => [row.scheduled_at, row.n]));
}

describe('CronScheduler claims (real SQLite file, controllable clock)', () => {
  let dir: string;
  let a: Instance;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runhook-scheduler-'));
    a = await start(join(dir, 'store.sqlite'), '2026-01-01T09:59:30.000Z');
  });
  afterEach(async () => {
    await a.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires a thread cron on its thread at each slot, once, with the firing in its metadata', async () => {
    const thread = await a.threads.insert({ thread_id: '0b4f7d3e-52c2-4a51-9d3c-6d7c8b0e1f20', created_at: a.clock.isoNow(), updated_at: a.clock.isoNow(), state_updated_at: a.clock.isoNow(), metadata: {}, status: 'idle', config: {}, values: null, interrupts: {} });
    const cron = await a.crons.create(thread?.thread_id ?? null, { assistant_id: 'agent', schedule: '* * * * *', input: { messages: [] }, metadata: { team: 'x' } });
    expect(cron.next_run_date).toBe('2026-01-01T10:00:00.000Z');
    expect(await a.sut.tick()).toMatchObject({ fired: 0 });
    a.clock.set('2026-01-01T10:00:00.250Z');
    expect(await a.sut.tick()).toMatchObject({ fired: 1, failed: 0 });
    expect(await a.sut.tick()).toMatchObject({ fired: 0 });
    const runs = await a.runs.list(cron.thread_id as string, { limit: 10, offset: 0 });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ multitask_strategy: 'enqueue', metadata: { team: 'x', cron_id: cron.cron_id, cron_scheduled_at: '2026-01-01T10:00:00.000Z' } });
    expect(await a.crons.get(cron.cron_id)).toMatchObject({ next_run_date: '2026-01-01T10:01:00.000Z', last_firing_lag_ms: 250 });
    a.clock.set('2026-01-01T10:01:00.010Z');
    await a.sut.tick();
    const firings = await a.crons.firings(cron.cron_id, { limit: 10, offset: 0 });
    expect(firings.map((f) => [f.scheduled_at, f.lag_ms, f.status])).toEqual([
      ['2026-01-01T10:01:00.000Z', 10, 'created'],
      ['2026-01-01T10:00:00.000Z', 250, 'created'],
    ]);
  });

  it("fires as the cron's creator: the create_run handler stamps them and the graph gets langgraph_auth_user", async () => {
    a.app.get(AuthService).install(
      new Auth()
        .authenticate(() => ({ identity: 'nobody', permissions: [] }))
        .on('threads', ({ action, value, user }) => {
          const stamped = value as { metadata?: Record<string, unknown> };
          if (action === 'create_run') stamped.metadata = { ...(stamped.metadata ?? {}), owner: user.identity };
          return { owner: user.identity };
        })
        .on('crons', ({ action, value, user }) => {
          if (action === 'create') (value as unknown as { metadata: Record<string, unknown> }).metadata['owner'] = user.identity;
          return { owner: user.identity };
        }),
    );
    const alice = { user: { identity: 'alice', permissions: ['read'], display_name: 'Alice', is_authenticated: true }, scopes: ['read'] };
    const bob = { ...alice, user: { ...alice.user, identity: 'bob', display_name: 'Bob' } };
    const cron = await AuthContext.run(alice, () => a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *', on_run_completed: 'keep' }));
    expect(cron).toMatchObject({ metadata: { owner: 'alice' }, user_id: 'alice' });
    expect(cron).not.toHaveProperty('auth_user');
    await expect(AuthContext.run(bob, () => a.crons.get(cron.cron_id))).rejects.toMatchObject({ status: 404 });
    // The scheduler runs outside any request: the firing takes the stored creator, not "no caller".
    a.clock.set('2026-01-01T10:00:00.100Z');
    expect(await a.sut.tick()).toMatchObject({ fired: 1, failed: 0 });
    const [firing] = await a.crons.firings(cron.cron_id, { limit: 1, offset: 0 });
    const run = await a.runs.get(firing?.run_id as string);
    expect(run?.metadata).toMatchObject({ owner: 'alice' });
    expect(run?.kwargs.config?.configurable).toMatchObject({ langgraph_auth_user_id: 'alice', langgraph_auth_user: { identity: 'alice' }, langgraph_auth_permissions: ['read'] });
  });

  it('gives a stateless cron a new thread per firing, kept only with on_run_completed keep', async () => {
    const deleting = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *' });
    const keeping = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *', on_run_completed: 'keep' });
    a.clock.set('2026-01-01T10:00:00.100Z');
    await a.sut.tick();
    const [dropRun] = await a.crons.firings(deleting.cron_id, { limit: 1, offset: 0 });
    const [keepRun] = await a.crons.firings(keeping.cron_id, { limit: 1, offset: 0 });
    expect((await a.runs.get(dropRun.run_id as string))?.kwargs.temporary).toBe(true);
    expect((await a.runs.get(keepRun.run_id as string))?.kwargs.temporary).toBe(false);
    expect(await a.threads.get(dropRun.thread_id as string)).not.toBeNull();
  });

  it('fires each (cron, scheduled time) once when two processes tick the same file together', async () => {
    const b = await start(join(dir, 'store.sqlite'), '2026-01-01T09:59:30.000Z');
    try {
      const crons = [];
      for (let i = 0; i < 20; i++) crons.push(await a.crons.create(null, { assistant_id: 'agent', schedule: '*/1 * * * * *' }));
      for (let second = 0; second < 5; second++) {
        const now = Date.parse('2026-01-01T09:59:31.000Z') + second * 1000 + 5;
        a.clock.set(now);
        b.clock.set(now);
        await Promise.all([a.sut.tick(), b.sut.tick(), a.sut.tick()]);
      }
      for (const cron of crons) {
        const perSlot = firingsPerSlot(a.db, cron.cron_id);
        expect(Object.keys(perSlot)).toHaveLength(5);
        expect(Object.values(perSlot).every((n) => n === 1)).toBe(true);
      }
      // Each process counts only the firings it won: together, every slot once.
      const fired = async (instance: Instance) => (await instance.app.get(RunhookMetrics).cronFirings.get()).values[0]?.value ?? 0;
      expect((await fired(a)) + (await fired(b))).toBe(100);
    } finally {
      await b.app.close();
    }
  });

  it('after downtime fires once for the latest missed slot, then resumes', async () => {
    const cron = await a.crons.create(null, { assistant_id: 'agent', schedule: '*/5 * * * *' });
    a.clock.set('2026-01-01T10:47:12.000Z');
    await a.sut.tick();
    const firings = await a.crons.firings(cron.cron_id, { limit: 10, offset: 0 });
    expect(firings).toEqual([expect.objectContaining({ scheduled_at: '2026-01-01T10:45:00.000Z', catch_up: true, lag_ms: 132_000 })]);
    // 10:00 to 10:40 were missed (nine slots), 10:45 fired 132 s late.
    const metrics = a.app.get(RunhookMetrics);
    expect((await metrics.cronMissed.get()).values[0]?.value).toBe(9);
    expect((await metrics.cronFirings.get()).values[0]?.value).toBe(1);
    expect((await metrics.cronLag.get()).values.find((value) => value.metricName?.endsWith('_sum'))?.value).toBe(132);
    expect((await a.crons.get(cron.cron_id)).next_run_date).toBe('2026-01-01T10:50:00.000Z');
  });

  it('counts the slots missed in a downtime once when two processes see it together', async () => {
    const b = await start(join(dir, 'store.sqlite'), '2026-01-01T09:59:30.000Z');
    try {
      const crons = [];
      for (let i = 0; i < 10; i++) crons.push(await a.crons.create(null, { assistant_id: 'agent', schedule: '*/5 * * * *' }));
      a.clock.set('2026-01-01T10:47:12.000Z');
      b.clock.set('2026-01-01T10:47:12.000Z');
      await Promise.all([a.sut.tick(), b.sut.tick()]);
      for (const cron of crons) expect(firingsPerSlot(a.db, cron.cron_id)).toEqual({ '2026-01-01T10:45:00.000Z': 1 });
      const missed = async (instance: Instance) => (await instance.app.get(RunhookMetrics).cronMissed.get()).values[0]?.value ?? 0;
      // Both saw the same stale crons (their duplicates prove it), yet nine slots per cron were missed, once.
      const duplicates = async (instance: Instance) => (await instance.app.get(RunhookMetrics).cronDuplicates.get()).values[0]?.value ?? 0;
      expect((await duplicates(a)) + (await duplicates(b))).toBeGreaterThan(0);
      expect((await missed(a)) + (await missed(b))).toBe(9 * crons.length);
    } finally {
      await b.app.close();
    }
  });

  it('stops at once when disabled, and a PATCH recomputes next_run_date', async () => {
    const cron = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *' });
    const disabled = await a.crons.update(cron.cron_id, { enabled: false });
    expect(disabled).toMatchObject({ enabled: false, next_run_date: null });
    a.clock.set('2026-01-01T10:00:01.000Z');
    expect(await a.sut.tick()).toMatchObject({ fired: 0 });
    const enabled = await a.crons.update(cron.cron_id, { enabled: true, schedule: '*/10 * * * *' });
    expect(enabled.next_run_date).toBe('2026-01-01T10:10:00.000Z');
    await expect(a.crons.update(cron.cron_id, {})).rejects.toMatchObject({ status: 400 });
  });

  it('disables a cron at end_time and purges it once retention has passed', async () => {
    const cron = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *', end_time: '2026-01-01T10:00:30.000Z' });
    a.clock.set('2026-01-01T10:00:00.050Z');
    expect(await a.sut.tick()).toMatchObject({ fired: 1 });
    expect(await a.crons.get(cron.cron_id)).toMatchObject({ enabled: false, next_run_date: null });
    a.clock.set('2026-01-09T00:00:00.000Z');
    await a.sut.tick();
    expect(await a.repository.get(cron.cron_id)).toBeNull();
  });

  it('keeps firing the other crons when one row is broken', async () => {
    const badSchedule = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *' });
    const badPayload = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *' });
    const healthy = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *' });
    a.db.prepare("UPDATE crons SET schedule = 'not a cron' WHERE cron_id = ?").run(badSchedule.cron_id);
    a.db.prepare("UPDATE crons SET payload = '{' WHERE cron_id = ?").run(badPayload.cron_id);
    a.clock.set('2026-01-01T10:00:00.100Z');
    expect(await a.sut.tick()).toMatchObject({ fired: 1 });
    expect(await a.crons.firings(healthy.cron_id, { limit: 1, offset: 0 })).toHaveLength(1);
  });

  it('a firing whose run cannot be prepared for a passing reason (database error) is retried at the next tick, not spent', async () => {
    const cron = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *', webhook: 'http://127.0.0.1:9/hook' });
    a.clock.set('2026-01-01T10:00:00.100Z');
    a.db.exec('ALTER TABLE assistants RENAME TO assistants_away');
    try {
      expect(await a.sut.tick()).toMatchObject({ fired: 0, deferred: 1 });
    } finally {
      a.db.exec('ALTER TABLE assistants_away RENAME TO assistants');
    }
    expect(await a.crons.firings(cron.cron_id, { limit: 10, offset: 0 })).toEqual([]);
    expect((await a.crons.get(cron.cron_id)).next_run_date).toBe('2026-01-01T10:00:00.000Z');

    a.clock.set('2026-01-01T10:00:01.000Z');
    expect(await a.sut.tick()).toMatchObject({ fired: 1, deferred: 0 });
    const [firing] = await a.crons.firings(cron.cron_id, { limit: 10, offset: 0 });
    expect(firing).toMatchObject({ scheduled_at: '2026-01-01T10:00:00.000Z', status: 'created' });
    // Its provenance is the scheduler's, in columns of its own (client metadata cannot forge it).
    expect(await a.runs.get(firing.run_id as string)).toMatchObject({ cron: { cron_id: cron.cron_id, scheduled_at: '2026-01-01T10:00:00.000Z' } });
  });

  it('a webhook host that does not resolve right now defers the firing; a bad webhook is refused at create and update', async () => {
    const cron = await a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *', webhook: 'http://127.0.0.1:9/hook' });
    a.db.prepare('UPDATE crons SET payload = ? WHERE cron_id = ?').run(JSON.stringify({ webhook: 'http://runhook-fence-test.invalid/hook' }), cron.cron_id);
    a.clock.set('2026-01-01T10:00:00.100Z');
    expect(await a.sut.tick()).toMatchObject({ fired: 0, deferred: 1, failed: 0 });
    expect(await a.crons.firings(cron.cron_id, { limit: 10, offset: 0 })).toEqual([]);

    await expect(a.crons.create(null, { assistant_id: 'agent', schedule: '* * * * *', webhook: 'ftp://example.com/hook' })).rejects.toMatchObject({ status: 422 });
    await expect(a.crons.update(cron.cron_id, { webhook: 'http://user:secret@127.0.0.1:9/hook' })).rejects.toMatchObject({ status: 422 });
    await expect(a.crons.update(cron.cron_id, { webhook: 'http://runhook-fence-test.invalid/hook' })).rejects.toMatchObject({ status: 422 });
  });
});
