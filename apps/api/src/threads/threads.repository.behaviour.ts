import { randomUUID } from 'node:crypto';
import { at, createCommand, makeRun, makeThread, successResult } from '../persistence/testing/builders';
import type { StoreFactory, StoreFixture } from '../persistence/testing/store-fixture';

/** What users rely on from the threads port, whatever the database. */
export function describeThreadsRepository(name: string, factory: StoreFactory): void {
  describe(`ThreadsRepository on ${name}`, () => {
    let store: StoreFixture;
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('inserts, reads back exactly, and answers null for a taken id (if_exists)', async () => {
      const thread = makeThread({ metadata: { user: 'u1', deep: { list: [1, 'two'] } }, config: { configurable: { k: 'v' } } });
      expect(await store.threads.insert(thread)).toEqual(thread);
      expect(await store.threads.get(thread.thread_id)).toEqual(thread);
      expect(await store.threads.insert({ ...thread, metadata: { user: 'other' } })).toBeNull();
      expect((await store.threads.get(thread.thread_id))?.metadata).toEqual({ user: 'u1', deep: { list: [1, 'two'] } });
      expect(await store.threads.get(randomUUID())).toBeNull();
    });

    it('merges metadata shallowly on patch and bumps updated_at', async () => {
      const thread = makeThread({ metadata: { a: 1, nested: { x: 1 } } });
      await store.threads.insert(thread);
      const patched = await store.threads.patchMetadata(thread.thread_id, { b: 2, nested: { y: 2 } }, at(5_000));
      expect(patched?.metadata).toEqual({ a: 1, b: 2, nested: { y: 2 } });
      expect(patched?.updated_at).toBe(at(5_000));
      expect(patched?.created_at).toBe(thread.created_at);
      expect(await store.threads.get(thread.thread_id)).toEqual(patched);
      expect(await store.threads.patchMetadata(randomUUID(), { a: 1 }, at(5_000))).toBeNull();
    });

    it('saves state: values, interrupts, status when given, both update times', async () => {
      const thread = makeThread();
      await store.threads.insert(thread);
      const interrupts = { task1: [{ id: 'i1', value: { question: 'approve?' } }] };
      await store.threads.saveState(thread.thread_id, { values: { messages: [{ content: 'hi' }] }, interrupts, status: 'interrupted', now: at(7_000) });
      expect(await store.threads.get(thread.thread_id)).toMatchObject({
        values: { messages: [{ content: 'hi' }] },
        interrupts,
        status: 'interrupted',
        updated_at: at(7_000),
        state_updated_at: at(7_000),
      });
      await store.threads.saveState(thread.thread_id, { values: null, interrupts: {}, now: at(8_000) });
      expect(await store.threads.get(thread.thread_id)).toMatchObject({ values: null, interrupts: {}, status: 'interrupted' });
    });

    it('reads a thread\'s head (status, metadata, config) without its state, and null for an unknown id', async () => {
      const thread = makeThread({ metadata: { user: 'u1' }, config: { configurable: { k: 'v' } } });
      await store.threads.insert(thread);
      await store.threads.saveState(thread.thread_id, { values: { messages: [{ content: 'long' }] }, interrupts: {}, status: 'busy', now: at(7_000) });

      expect(await store.threads.getHead(thread.thread_id)).toEqual({
        thread_id: thread.thread_id,
        status: 'busy',
        metadata: { user: 'u1' },
        config: { configurable: { k: 'v' } },
      });
      expect(await store.threads.getHead(randomUUID())).toBeNull();
    });

    it('searches by metadata, status, values and ids, sorted and paginated with totals', async () => {
      const tag = randomUUID();
      const threads = [0, 1, 2, 3].map((i) =>
        makeThread({
          created_at: at(i * 1_000),
          updated_at: at(10_000 - i * 1_000),
          metadata: { tag, parity: i % 2 === 0 ? 'even' : 'odd', i },
          status: i === 3 ? 'error' : 'idle',
        }),
      );
      for (const thread of threads) await store.threads.insert(thread);
      await store.threads.saveState(threads[1].thread_id, { values: { topic: 'cats', n: 1 }, interrupts: {}, now: at(20_000) });
      const ids = (page: { items: { thread_id: string }[] }) => page.items.map((t) => threads.findIndex((x) => x.thread_id === t.thread_id));
      const page = { limit: 10, offset: 0, sortBy: 'created_at', sortOrder: 'desc' as const };

      expect(ids(await store.threads.search({ metadata: { tag } }, page))).toEqual([3, 2, 1, 0]);
      expect(ids(await store.threads.search({ metadata: { tag } }, { ...page, sortOrder: 'asc' }))).toEqual([0, 1, 2, 3]);
      expect(ids(await store.threads.search({ metadata: { tag, parity: 'even' } }, page))).toEqual([2, 0]);
      expect(ids(await store.threads.search({ metadata: { tag }, status: 'error' }, page))).toEqual([3]);
      expect(ids(await store.threads.search({ metadata: { tag }, values: { topic: 'cats' } }, page))).toEqual([1]);
      expect(ids(await store.threads.search({ metadata: { tag }, values: { topic: 'dogs' } }, page))).toEqual([]);
      expect(ids(await store.threads.search({ ids: [threads[0].thread_id, threads[2].thread_id] }, page))).toEqual([2, 0]);
      const manyIds = [...Array.from({ length: 40_000 }, () => randomUUID()), threads[1].thread_id];
      expect(ids(await store.threads.search({ ids: manyIds }, page))).toEqual([1]);
      // An unknown sort column falls back to created_at.
      expect(ids(await store.threads.search({ metadata: { tag } }, { ...page, sortBy: 'nope; DROP TABLE threads' }))).toEqual([3, 2, 1, 0]);

      const second = await store.threads.search({ metadata: { tag } }, { limit: 2, offset: 2, sortBy: 'created_at', sortOrder: 'asc' });
      expect(ids(second)).toEqual([2, 3]);
      expect(second.total).toBe(4);
      expect(await store.threads.search({ metadata: { tag } }, { ...page, offset: 10 })).toEqual({ items: [], total: 4 });
      expect(await store.threads.count({ metadata: { tag } })).toBe(4);
      expect(await store.threads.count({ metadata: { tag }, status: 'idle' })).toBe(3);
      expect(await store.threads.count({ metadata: { tag }, values: { n: 1 } })).toBe(1);
    });

    it('tells whether a thread has a pending or running run', async () => {
      const thread = makeThread();
      await store.threads.insert(thread);
      expect(await store.threads.hasActiveRun(thread.thread_id)).toBe(false);
      const run = makeRun(thread.thread_id);
      await store.runs.createRun(createCommand(run));
      expect(await store.threads.hasActiveRun(thread.thread_id)).toBe(true);
      const claimed = await store.runs.claim('w1', 100, Date.parse(at(60_000)), Date.parse(at(90_000)));
      expect(claimed.map((r) => r.run_id)).toContain(run.run_id);
      expect(await store.threads.hasActiveRun(thread.thread_id)).toBe(true);
      await store.runs.finish(run.run_id, successResult(at(61_000)));
      expect(await store.threads.hasActiveRun(thread.thread_id)).toBe(false);
    });

    it('deletes the thread with its runs and their events', async () => {
      const thread = makeThread();
      await store.threads.insert(thread);
      const run = makeRun(thread.thread_id);
      await store.runs.createRun(createCommand(run));
      await store.runs.appendEvents(run.run_id, [{ seq: 1, event: 'values', data: '{}' }]);
      expect(await store.threads.delete(thread.thread_id)).toBe(true);
      expect(await store.threads.get(thread.thread_id)).toBeNull();
      expect(await store.runs.get(run.run_id)).toBeNull();
      expect(await store.runs.listEvents(run.run_id, 0)).toEqual([]);
      expect(await store.threads.delete(thread.thread_id)).toBe(false);
    });

    it('keeps the runs of a deleted temporary thread until they are purged', async () => {
      const thread = makeThread();
      await store.threads.insert(thread);
      const run = makeRun(thread.thread_id);
      await store.runs.createRun(createCommand(run));
      await store.runs.finish(run.run_id, successResult(at(61_000)));
      expect(await store.threads.delete(thread.thread_id, { keepRuns: true })).toBe(true);
      expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'success' });
      expect(await store.runs.purgeDetached(at(60_000))).toBe(0);
      expect(await store.runs.purgeDetached(at(62_000))).toBe(1);
      expect(await store.runs.get(run.run_id)).toBeNull();
    });
  });
}
