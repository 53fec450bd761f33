import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Run } from '@runhook/contracts';
import { randomUUID } from 'node:crypto';
import type { CreateRunCommand } from '../runs/run-record';
import type { RunsRepository } from '../runs/runs.repository';
import type { ThreadsRepository } from '../threads/threads.repository';
import type { CronRecord, FireCommand } from './cron-record';
import type { CronsRepository } from './crons.repository';

/** The ports a crons suite needs, on one fresh database. */
export interface CronsFixture {
  crons: CronsRepository;
  threads: ThreadsRepository;
  runs: RunsRepository;
  close(): Promise<void>;
}

const T0 = '2026-01-01T10:00:00.000Z';

export function cronRecord(overrides: Partial<CronRecord> = {}): CronRecord {
  return {
    cron_id: randomUUID(),
    assistant_id: randomUUID(),
    thread_id: null,
    schedule: '* * * * *',
    timezone: null,
    end_time: null,
    enabled: true,
    on_run_completed: 'delete',
    payload: { input: { messages: [] } },
    metadata: { team: 'a' },
    user_id: null,
    next_run_date: T0,
    created_at: '2026-01-01T09:00:00.000Z',
    updated_at: '2026-01-01T09:00:00.000Z',
    last_fired_at: null,
    last_firing_lag_ms: null,
    auth_user: null,
    ...overrides,
  };
}

function runCommand(cron: CronRecord, threadId: string, runId = randomUUID()): CreateRunCommand {
  const run: Run = {
    run_id: runId,
    thread_id: threadId,
    assistant_id: cron.assistant_id,
    created_at: T0,
    updated_at: T0,
    status: 'pending',
    metadata: { cron_id: cron.cron_id, cron_scheduled_at: T0 },
    multitask_strategy: 'enqueue',
    kwargs: { input: null, config: {}, stream_mode: ['values'], temporary: true } as unknown as Run['kwargs'],
  };
  const thread = { thread_id: threadId, created_at: T0, updated_at: T0, state_updated_at: T0, metadata: {}, status: 'idle' as const, config: {}, values: null, interrupts: {} };
  return { run, threadToCreate: cron.thread_id ? null : thread, threadMetadata: {}, multitaskStrategy: 'enqueue', now: T0 };
}

function fireCommand(cron: CronRecord, overrides: Partial<FireCommand> = {}): FireCommand {
  return {
    expected: { cronId: cron.cron_id, nextRunDate: cron.next_run_date as string, updatedAt: cron.updated_at },
    scheduledAt: cron.next_run_date as string,
    firedAt: '2026-01-01T10:00:00.120Z',
    lagMs: 120,
    catchUp: false,
    nextRunDate: '2026-01-01T10:01:00.000Z',
    expire: false,
    run: runCommand(cron, cron.thread_id ?? randomUUID()),
    error: null,
    ...overrides,
  };
}

/** What the scheduler and the API rely on from the crons port, whatever the database. */
export function describeCronsRepository(name: string, factory: () => Promise<CronsFixture>): void {
  describe(`CronsRepository on ${name}`, () => {
    let store: CronsFixture;
    let sut: CronsRepository;
    beforeEach(async () => {
      store = await factory();
      sut = store.crons;
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores, reads, updates and deletes a cron', async () => {
      const cron = cronRecord();
      await sut.insert(cron);
      expect(await sut.get(cron.cron_id)).toEqual(cron);
      const updated = await sut.update({ ...cron, enabled: false, next_run_date: null, metadata: { team: 'b' }, updated_at: T0 });
      expect(updated).toMatchObject({ enabled: false, next_run_date: null, metadata: { team: 'b' } });
      expect(await sut.delete(cron.cron_id)).toBe(true);
      expect(await sut.get(cron.cron_id)).toBeNull();
      expect(await sut.delete(cron.cron_id)).toBe(false);
    });

    it("keeps the creator's auth user, so firings run as them", async () => {
      const auth_user = { user: { identity: 'alice', permissions: ['read'], display_name: 'Alice', is_authenticated: true }, scopes: ['read'] };
      const owned = cronRecord({ auth_user, user_id: 'alice' });
      await sut.insert(owned);
      expect((await sut.get(owned.cron_id))?.auth_user).toEqual(auth_user);
      const anonymous = cronRecord();
      await sut.insert(anonymous);
      expect((await sut.get(anonymous.cron_id))?.auth_user).toBeNull();
    });

    it('searches and counts by assistant, thread, enabled and metadata, with paging', async () => {
      const assistant = randomUUID();
      const thread = randomUUID();
      await sut.insert(cronRecord({ assistant_id: assistant, created_at: '2026-01-01T00:00:01.000Z' }));
      await sut.insert(cronRecord({ assistant_id: assistant, thread_id: thread, on_run_completed: null, created_at: '2026-01-01T00:00:02.000Z' }));
      await sut.insert(cronRecord({ assistant_id: assistant, enabled: false, metadata: { team: 'b' }, created_at: '2026-01-01T00:00:03.000Z' }));
      const page = { limit: 2, offset: 0, sortBy: 'created_at', sortOrder: 'asc' as const };
      const all = await sut.search({ assistantId: assistant }, page);
      expect(all.total).toBe(3);
      expect(all.items.map((c) => c.created_at)).toEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z']);
      expect(await sut.count({ assistantId: assistant, threadId: thread })).toBe(1);
      expect(await sut.count({ assistantId: assistant, metadata: { team: 'a' } })).toBe(2);
      expect((await sut.search({ assistantId: assistant, enabled: false }, page)).items).toHaveLength(1);
      expect((await sut.search({ assistantId: assistant, metadata: { team: 'b' } }, page)).total).toBe(1);
    });

    it('lists due enabled crons only, oldest first, and knows the next due time', async () => {
      await sut.insert(cronRecord({ next_run_date: '2026-01-01T10:00:05.000Z' }));
      const due = cronRecord({ next_run_date: '2026-01-01T09:59:00.000Z' });
      await sut.insert(due);
      await sut.insert(cronRecord({ next_run_date: '2026-01-01T09:58:00.000Z', enabled: false }));
      expect((await sut.listDue(T0, 10)).map((c) => c.cron_id)).toEqual([due.cron_id]);
      expect(await sut.nextDueAt()).toBe('2026-01-01T09:59:00.000Z');
    });

    it('fires once per (cron, scheduled time): records the firing, creates the run, advances next_run_date', async () => {
      const cron = cronRecord();
      await sut.insert(cron);
      const command = fireCommand(cron);
      const result = await sut.fire(command);
      expect(result).toMatchObject({ kind: 'fired', run: { kind: 'created' } });
      expect(await store.runs.get(command.run?.run.run_id as string)).toMatchObject({ status: 'pending', metadata: { cron_id: cron.cron_id } });
      expect(await sut.get(cron.cron_id)).toMatchObject({ next_run_date: '2026-01-01T10:01:00.000Z', last_fired_at: command.firedAt, last_firing_lag_ms: 120 });
      // A second scheduler that read the same cron: the unique key refuses the slot, no second run.
      const again = await sut.fire(fireCommand(cron));
      expect(again).toEqual({ kind: 'duplicate', advanced: false });
      expect(await sut.listFirings(cron.cron_id, { limit: 10, offset: 0 })).toEqual([
        expect.objectContaining({ scheduled_at: T0, run_id: command.run?.run.run_id, lag_ms: 120, status: 'created', catch_up: false }),
      ]);
    });

    it('refuses a slot fired before when the cron points back at it, and moves the cron past it', async () => {
      const cron = cronRecord();
      await sut.insert(cron);
      await sut.fire(fireCommand(cron));
      // A patch computed on a replica whose clock is behind: next_run_date back on the slot that fired.
      const patched = { ...cron, next_run_date: T0, updated_at: '2026-01-01T10:00:30.000Z' };
      await sut.update(patched);
      const again = fireCommand(patched);
      expect(await sut.fire(again)).toEqual({ kind: 'duplicate', advanced: true });
      expect(await sut.get(cron.cron_id)).toMatchObject({ next_run_date: '2026-01-01T10:01:00.000Z' });
      expect(await store.runs.get(again.run?.run.run_id as string)).toBeNull();
      expect(await sut.listFirings(cron.cron_id, { limit: 10, offset: 0 })).toHaveLength(1);
    });

    it('refuses a firing read before a patch, a disable or a delete (stale), writing nothing', async () => {
      const cron = cronRecord();
      await sut.insert(cron);
      await sut.update({ ...cron, enabled: false, next_run_date: null, updated_at: '2026-01-01T09:30:00.000Z' });
      const command = fireCommand(cron);
      expect(await sut.fire(command)).toEqual({ kind: 'stale' });
      expect(await sut.listFirings(cron.cron_id, { limit: 10, offset: 0 })).toEqual([]);
      expect(await store.runs.get(command.run?.run.run_id as string)).toBeNull();
    });

    it('records a refused run as a firing without a run and still advances', async () => {
      const cron = cronRecord();
      await sut.insert(cron);
      expect(await sut.fire(fireCommand(cron, { run: null, error: 'Assistant x not found' }))).toEqual({ kind: 'fired', run: null });
      const [firing] = await sut.listFirings(cron.cron_id, { limit: 10, offset: 0 });
      expect(firing).toMatchObject({ status: 'error', run_id: null, error: 'Assistant x not found' });
      expect((await sut.get(cron.cron_id))?.next_run_date).toBe('2026-01-01T10:01:00.000Z');
    });

    it('disables a thread cron whose thread is gone', async () => {
      const cron = cronRecord({ thread_id: randomUUID(), on_run_completed: null });
      await sut.insert(cron);
      expect(await sut.fire(fireCommand(cron))).toMatchObject({ kind: 'fired', run: { kind: 'thread-not-found' } });
      expect(await sut.get(cron.cron_id)).toMatchObject({ enabled: false, next_run_date: null });
    });

    it('expires at end_time and advances without firing', async () => {
      const cron = cronRecord();
      await sut.insert(cron);
      const expected = { cronId: cron.cron_id, nextRunDate: T0, updatedAt: cron.updated_at };
      expect(await sut.advance({ expected, nextRunDate: null, expire: true })).toBe(true);
      expect(await sut.get(cron.cron_id)).toMatchObject({ enabled: false, next_run_date: null });
      expect(await sut.advance({ expected, nextRunDate: null, expire: true })).toBe(false);
    });

    it('purges crons past end_time + retention and old firings', async () => {
      const ended = cronRecord({ end_time: '2025-12-01T00:00:00.000Z', enabled: false, next_run_date: null });
      const live = cronRecord();
      await sut.insert(ended);
      await sut.insert(live);
      await sut.fire(fireCommand(live, { firedAt: '2025-12-20T00:00:00.000Z' }));
      const purged = await sut.purge('2025-12-25T00:00:00.000Z', '2025-12-25T00:00:00.000Z');
      expect(purged).toEqual({ crons: 1, firings: 1 });
      expect(await sut.get(ended.cron_id)).toBeNull();
      expect(await sut.get(live.cron_id)).not.toBeNull();
    });
  });
}
