import type { Interrupt } from '@runhook/contracts';
import { randomUUID } from 'node:crypto';
import { at, createCommand, makeRun, makeThread, successResult } from '../persistence/testing/builders';
import type { StoreFactory, StoreFixture } from '../persistence/testing/store-fixture';
import type { RunResult } from './run-record';

const ms = (offset: number) => Date.parse(at(offset));

/** What the API and the worker rely on from the runs port (the queue), whatever the database. */
export function describeRunsRepository(name: string, factory: StoreFactory): void {
  describe(`RunsRepository on ${name}`, () => {
    let store: StoreFixture;
    // The queue is global to a database: each test gets its own.
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store?.close();
    });

    async function thread(metadata: Record<string, unknown> = {}) {
      const created = makeThread({ metadata });
      await store.threads.insert(created);
      return created.thread_id;
    }

    async function enqueue(threadId: string, offset: number, strategy: 'reject' | 'interrupt' | 'rollback' | 'enqueue' = 'enqueue') {
      const run = makeRun(threadId, { created_at: at(offset), multitask_strategy: strategy });
      const result = await store.runs.createRun(createCommand(run));
      return { run, result };
    }

    /** The leases a worker holds: run id to the attempt it claimed. */
    const held = (runId: string, attempt = 1) => new Map([[runId, { attempt }]]);

    const claimIds = async (owner: string, limit: number, now: number, lease = now + 30_000) =>
      (await store.runs.claim(owner, limit, ms(now), ms(lease))).map((r) => r.run_id);

    describe('createRun', () => {
      it('inserts a pending run, marks the thread busy and merges its metadata and config', async () => {
        const threadId = await thread({ user: 'u1', graph_id: 'old' });
        const { run, result } = await enqueue(threadId, 1_000);
        expect(result).toEqual({ kind: 'created', run, cancelled: [] });
        expect(await store.runs.get(run.run_id)).toEqual({ ...run, attempt: 0, started_at: null, ended_at: null, error: null, final_values: null });
        expect(await store.threads.get(threadId)).toMatchObject({
          status: 'busy',
          metadata: { user: 'u1', graph_id: 'agent', assistant_id: run.assistant_id },
          config: run.kwargs.config,
          updated_at: at(1_000),
        });
      });

      it('answers thread-not-found, or creates the thread when asked (stateless, if_not_exists)', async () => {
        const missing = makeRun(randomUUID());
        expect(await store.runs.createRun(createCommand(missing))).toEqual({ kind: 'thread-not-found' });
        expect(await store.runs.get(missing.run_id)).toBeNull();

        const newThread = makeThread({ metadata: { origin: 'stateless' } });
        const run = makeRun(newThread.thread_id);
        expect((await store.runs.createRun(createCommand(run, { threadToCreate: newThread }))).kind).toBe('created');
        expect(await store.threads.get(newThread.thread_id)).toMatchObject({
          status: 'busy',
          metadata: { origin: 'stateless', graph_id: 'agent' },
          values: null,
          created_at: run.created_at,
        });
      });

      it('reject: conflict while the thread has an active run, and nothing is written', async () => {
        const threadId = await thread();
        await enqueue(threadId, 1_000);
        const { run, result } = await enqueue(threadId, 2_000, 'reject');
        expect(result).toEqual({ kind: 'conflict' });
        expect(await store.runs.get(run.run_id)).toBeNull();
        expect((await enqueue(await thread(), 3_000, 'reject')).result.kind).toBe('created');
      });

      it('interrupt: pending runs end interrupted, running ones are flagged for their worker', async () => {
        const threadId = await thread();
        const first = await enqueue(threadId, 1_000);
        expect(await claimIds('w1', 10, 1_500)).toEqual([first.run.run_id]);
        const second = await enqueue(threadId, 2_000);
        const third = await enqueue(threadId, 3_000, 'interrupt');
        expect(third.result.kind).toBe('created');
        const cancelled = third.result.kind === 'created' ? third.result.cancelled : [];
        expect(cancelled).toEqual(
          expect.arrayContaining([
            { run_id: first.run.run_id, thread_id: threadId, wasRunning: true, action: 'interrupt' },
            { run_id: second.run.run_id, thread_id: threadId, wasRunning: false, action: 'interrupt' },
          ]),
        );
        expect(cancelled).toHaveLength(2);
        expect(await store.runs.get(second.run.run_id)).toMatchObject({ status: 'interrupted', ended_at: at(3_000) });
        expect(await store.runs.get(first.run.run_id)).toMatchObject({ status: 'running' });
        expect(await store.runs.renewLeases('w1', held(first.run.run_id), ms(40_000))).toEqual({ lost: [], cancels: [{ run_id: first.run.run_id, action: 'interrupt' }] });
        expect(await store.runs.get(third.run.run_id)).toMatchObject({ status: 'pending' });
        expect((await store.threads.get(threadId))?.status).toBe('busy');
      });

      it('rollback: pending runs are deleted, running ones flagged rollback', async () => {
        const threadId = await thread();
        const first = await enqueue(threadId, 1_000);
        await claimIds('w1', 10, 1_500);
        const second = await enqueue(threadId, 2_000);
        const third = await enqueue(threadId, 3_000, 'rollback');
        expect(third.result.kind === 'created' && third.result.cancelled.map((c) => [c.run_id, c.wasRunning, c.action])).toEqual(
          expect.arrayContaining([
            [first.run.run_id, true, 'rollback'],
            [second.run.run_id, false, 'rollback'],
          ]),
        );
        expect(await store.runs.get(second.run.run_id)).toBeNull();
        expect(await store.runs.renewLeases('w1', held(first.run.run_id), ms(40_000))).toEqual({ lost: [], cancels: [{ run_id: first.run.run_id, action: 'rollback' }] });
      });

      it('enqueue: runs wait their turn and nothing is cancelled', async () => {
        const threadId = await thread();
        const first = await enqueue(threadId, 1_000);
        const second = await enqueue(threadId, 2_000);
        expect(second.result).toEqual({ kind: 'created', run: second.run, cancelled: [] });
        expect((await store.runs.list(threadId, { limit: 10, offset: 0 })).map((r) => r.run_id)).toEqual([second.run.run_id, first.run.run_id]);
      });
    });

    describe('claim', () => {
      it('takes the oldest due runs first, at most one per thread, up to the limit', async () => {
        const [a, b, c] = [await thread(), await thread(), await thread()];
        const a1 = await enqueue(a, 1_000);
        const b1 = await enqueue(b, 2_000);
        await enqueue(a, 3_000);
        const c1 = await enqueue(c, 4_000);
        expect(await claimIds('w1', 2, 10_000)).toEqual([a1.run.run_id, b1.run.run_id]);
        expect(await claimIds('w2', 10, 10_000)).toEqual([c1.run.run_id]);
      });

      it('returns the claimed run as running with an attempt, start time and owner lease', async () => {
        const { run } = await enqueue(await thread(), 1_000);
        const [claimed] = await store.runs.claim('w1', 1, ms(5_000), ms(35_000));
        expect(claimed).toMatchObject({ run_id: run.run_id, status: 'running', attempt: 1, started_at: at(5_000), updated_at: at(5_000) });
        expect(claimed.kwargs).toEqual(run.kwargs);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'running', attempt: 1 });
      });

      it('claims nothing on a thread while one of its runs is running, then the next in order', async () => {
        const threadId = await thread();
        const first = await enqueue(threadId, 1_000);
        const second = await enqueue(threadId, 2_000);
        expect(await claimIds('w1', 10, 5_000)).toEqual([first.run.run_id]);
        expect(await claimIds('w2', 10, 6_000)).toEqual([]);
        await store.runs.finish(first.run.run_id, successResult(at(7_000)));
        expect(await claimIds('w2', 10, 8_000)).toEqual([second.run.run_id]);
      });

      it('does not take a delayed run before it is due, and says when it will be', async () => {
        const { run } = await enqueue(await thread(), 60_000);
        expect(await claimIds('w1', 10, 10_000)).toEqual([]);
        expect(await store.runs.nextDueAt(ms(10_000))).toBe(ms(60_000));
        expect(await claimIds('w1', 10, 60_000)).toEqual([run.run_id]);
        expect(await store.runs.nextDueAt(ms(60_000))).toBeNull();
      });

      it('hands each run to one of several concurrent claimers', async () => {
        const threads = await Promise.all([0, 1, 2, 3, 4, 5].map(() => thread()));
        for (const [i, threadId] of threads.entries()) {
          await enqueue(threadId, 1_000 + i);
          await enqueue(threadId, 2_000 + i);
        }
        const batches = await Promise.all(['w1', 'w2', 'w3'].map((owner) => claimIds(owner, 3, 5_000)));
        const claimed = batches.flat();
        expect(new Set(claimed).size).toBe(claimed.length);
        const runs = await Promise.all(claimed.map((id) => store.runs.get(id)));
        expect(new Set(runs.map((r) => r?.thread_id)).size).toBe(claimed.length);
      });
    });

    describe('leases', () => {
      it('renews only the owner’s leases; expired leases are re-queued and claimed again', async () => {
        const { run } = await enqueue(await thread(), 1_000);
        await claimIds('w1', 1, 2_000, 10_000);
        expect(await store.runs.renewLeases('w1', held(run.run_id), ms(20_000))).toEqual({ lost: [], cancels: [] });
        expect(await store.runs.renewLeases('w2', held(run.run_id), ms(99_000))).toEqual({ lost: [run.run_id], cancels: [] });
        expect(await store.runs.reclaimExpired({ nowMs: ms(15_000), maxAttempts: 3 })).toEqual({ requeued: [], exhausted: [] });
        expect(await store.runs.reclaimExpired({ nowMs: ms(21_000), maxAttempts: 3 })).toEqual({ requeued: [run.run_id], exhausted: [] });
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'pending', attempt: 1 });
        const [again] = await store.runs.claim('w2', 1, ms(22_000), ms(50_000));
        expect(again).toMatchObject({ run_id: run.run_id, attempt: 2, started_at: at(2_000) });
      });
    });

    describe('finish', () => {
      it('records the run end and writes the thread state and status together', async () => {
        const threadId = await thread();
        const { run } = await enqueue(threadId, 1_000);
        await claimIds('w1', 1, 2_000);
        await store.runs.finish(run.run_id, successResult(at(3_000), { messages: ['hi', 'echo: hi'] }));
        expect(await store.runs.get(run.run_id)).toMatchObject({
          status: 'success',
          ended_at: at(3_000),
          updated_at: at(3_000),
          final_values: { messages: ['hi', 'echo: hi'] },
          error: null,
        });
        expect(await store.threads.get(threadId)).toMatchObject({
          status: 'idle',
          values: { messages: ['hi', 'echo: hi'] },
          state_updated_at: at(3_000),
        });
        expect(await store.runs.renewLeases('w1', held(run.run_id), ms(9_000))).toEqual({ lost: [run.run_id], cancels: [] });
      });

      it('keeps the thread busy while other runs wait on it', async () => {
        const threadId = await thread();
        const first = await enqueue(threadId, 1_000);
        await enqueue(threadId, 2_000);
        await claimIds('w1', 1, 3_000);
        await store.runs.finish(first.run.run_id, successResult(at(4_000)));
        expect(await store.threads.get(threadId)).toMatchObject({ status: 'busy', values: { messages: ['done'] } });
      });

      it.each([
        ['interrupted', 'interrupted', null],
        ['error', 'error', { error: 'Error', message: 'requested failure' }],
      ] as const)('ends %s with the thread %s and its error', async (status, threadStatus, error) => {
        const threadId = await thread();
        const { run } = await enqueue(threadId, 1_000);
        await claimIds('w1', 1, 2_000);
        const interrupts: Record<string, Interrupt[]> = status === 'interrupted' ? { t1: [{ id: 'i1', value: { question: 'approve?' } }] } : {};
        const result: RunResult = {
          status,
          error,
          finalValues: { messages: ['x'] },
          endedAt: at(3_000),
          discard: false,
          thread: { status: threadStatus, values: { messages: ['x'] }, interrupts, error },
        };
        await store.runs.finish(run.run_id, result);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status, error });
        const saved = await store.threads.get(threadId);
        expect(saved).toMatchObject({ status: threadStatus, interrupts });
        expect(saved?.error ?? null).toEqual(error);
      });

      it('discards the run (rollback) and leaves the thread row alone when told to', async () => {
        const threadId = await thread();
        const { run } = await enqueue(threadId, 1_000);
        await claimIds('w1', 1, 2_000);
        await store.runs.appendEvents(run.run_id, [{ seq: 1, event: 'values', data: '{}' }]);
        await store.runs.finish(run.run_id, { ...successResult(at(3_000)), discard: true, thread: null });
        expect(await store.runs.get(run.run_id)).toBeNull();
        expect(await store.runs.listEvents(run.run_id, 0)).toEqual([]);
        expect((await store.threads.get(threadId))?.status).toBe('busy');
        await expect(store.runs.finish(randomUUID(), successResult(at(4_000)))).resolves.toBe(true);
      });
    });

    describe('cancel', () => {
      it('ends pending runs at once and frees the thread when none is left', async () => {
        const threadId = await thread();
        const { run } = await enqueue(threadId, 1_000);
        const cancelled = await store.runs.cancel({ runIds: [run.run_id], action: 'interrupt', now: at(2_000) });
        expect(cancelled).toEqual([{ run_id: run.run_id, thread_id: threadId, wasRunning: false, action: 'interrupt' }]);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'interrupted', ended_at: at(2_000) });
        expect((await store.threads.get(threadId))?.status).toBe('idle');
        expect(await store.runs.cancel({ runIds: [run.run_id], action: 'interrupt', now: at(3_000) })).toEqual([]);
      });

      it('takes an id list far past SQLite\'s bound-variable limit', async () => {
        const threadId = await thread();
        const { run } = await enqueue(threadId, 1_000);
        const runIds = [...Array.from({ length: 40_000 }, () => randomUUID()), run.run_id];
        const cancelled = await store.runs.cancel({ runIds, action: 'interrupt', now: at(2_000) });
        expect(cancelled.map((c) => c.run_id)).toEqual([run.run_id]);
      });

      it('deletes pending runs on rollback', async () => {
        const threadId = await thread();
        const { run } = await enqueue(threadId, 1_000);
        await store.runs.cancel({ threadId, action: 'rollback', now: at(2_000) });
        expect(await store.runs.get(run.run_id)).toBeNull();
        expect((await store.threads.get(threadId))?.status).toBe('idle');
      });

      it('flags running runs for their worker and filters by thread and status', async () => {
        const threadId = await thread();
        const first = await enqueue(threadId, 1_000);
        const second = await enqueue(threadId, 2_000);
        const other = await enqueue(await thread(), 3_000);
        await claimIds('w1', 1, 4_000);
        const running = await store.runs.cancel({ threadId, status: 'running', action: 'interrupt', now: at(5_000) });
        expect(running).toEqual([{ run_id: first.run.run_id, thread_id: threadId, wasRunning: true, action: 'interrupt' }]);
        expect(await store.runs.get(first.run.run_id)).toMatchObject({ status: 'running' });
        expect(await store.runs.get(second.run.run_id)).toMatchObject({ status: 'pending' });
        expect(await store.runs.renewLeases('w1', held(first.run.run_id), ms(50_000))).toEqual({ lost: [], cancels: [{ run_id: first.run.run_id, action: 'interrupt' }] });
        const pending = await store.runs.cancel({ status: 'pending', action: 'interrupt', now: at(6_000) });
        expect(pending.map((c) => c.run_id).sort()).toEqual([second.run.run_id, other.run.run_id].sort());
        // The thread stays busy: its running run has not stopped yet.
        expect((await store.threads.get(threadId))?.status).toBe('busy');
      });
    });

    describe('events, list and delete', () => {
      it('appends events once per seq and lists them after a seq', async () => {
        const { run } = await enqueue(await thread(), 1_000);
        for (const seq of [1, 2, 3]) await store.runs.appendEvents(run.run_id, [{ seq, event: 'values', data: JSON.stringify({ seq }) }]);
        await store.runs.appendEvents(run.run_id, [{ seq: 2, event: 'values', data: 'duplicate' }]);
        expect(await store.runs.listEvents(run.run_id, 1)).toEqual([
          { seq: 2, event: 'values', data: '{"seq":2}' },
          { seq: 3, event: 'values', data: '{"seq":3}' },
        ]);
        // Followers ask "after the end" (no replay) and "from the start" with the extremes.
        expect(await store.runs.listEvents(run.run_id, Number.MAX_SAFE_INTEGER)).toEqual([]);
        expect(await store.runs.listEvents(run.run_id, -1)).toHaveLength(3);
      });

      it('appends a batch of events in one write, keeping the first of each seq', async () => {
        const { run } = await enqueue(await thread(), 1_000);
        await store.runs.appendEvents(run.run_id, []);
        await store.runs.appendEvents(run.run_id, [{ seq: 2, event: 'values', data: 'first' }]);
        const batch = [1, 2, 3].map((seq) => ({ seq, event: seq === 3 ? 'updates' : 'values', data: JSON.stringify({ seq }) }));
        await store.runs.appendEvents(run.run_id, batch);
        expect(await store.runs.listEvents(run.run_id, -1)).toEqual([
          { seq: 1, event: 'values', data: '{"seq":1}' },
          { seq: 2, event: 'values', data: 'first' },
          { seq: 3, event: 'updates', data: '{"seq":3}' },
        ]);
      });

      it('lists a thread’s runs newest first with status filter and paging; deletes one with its events', async () => {
        const threadId = await thread();
        const runs = [];
        for (const offset of [1_000, 2_000, 3_000]) runs.push((await enqueue(threadId, offset)).run);
        await claimIds('w1', 1, 4_000);
        expect((await store.runs.list(threadId, { limit: 2, offset: 0 })).map((r) => r.run_id)).toEqual([runs[2].run_id, runs[1].run_id]);
        expect((await store.runs.list(threadId, { limit: 2, offset: 2 })).map((r) => r.run_id)).toEqual([runs[0].run_id]);
        expect((await store.runs.list(threadId, { limit: 10, offset: 0, status: 'running' })).map((r) => r.run_id)).toEqual([runs[0].run_id]);
        expect((await store.runs.list(threadId, { limit: 10, offset: 0 }))[0]).toEqual(runs[2]);
        await store.runs.appendEvents(runs[1].run_id, [{ seq: 1, event: 'values', data: '{}' }]);
        expect(await store.runs.delete(runs[1].run_id)).toBe(true);
        expect(await store.runs.delete(runs[1].run_id)).toBe(false);
        expect(await store.runs.listEvents(runs[1].run_id, 0)).toEqual([]);
      });
    });
  });
}
