import { randomUUID } from 'node:crypto';
import { at, makeThread } from '../persistence/testing/builders';
import type { StoreFactory, StoreFixture } from '../persistence/testing/store-fixture';
import { PostgresThreadTtlRepository } from './postgres-thread-ttl.repository';
import { SqliteThreadTtlRepository } from './sqlite-thread-ttl.repository';
import type { ThreadTtlRepository } from './thread-ttl.repository';

function ttlRepositoryOf(store: StoreFixture): ThreadTtlRepository {
  if (store.kind === 'postgres' && store.postgres) return new PostgresThreadTtlRepository(store.postgres.pool);
  if (store.sqlite) return new SqliteThreadTtlRepository(store.sqlite);
  throw new Error('store fixture without a connection');
}

/** What the TTL sweeper and `include=ttl` rely on, whatever the database. */
export function describeThreadTtlRepository(name: string, factory: StoreFactory): void {
  describe(`ThreadTtlRepository on ${name}`, () => {
    let store: StoreFixture;
    let ttls: ThreadTtlRepository;
    beforeAll(async () => {
      store = await factory();
      ttls = ttlRepositoryOf(store);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('sets, reads back, replaces and clears a thread’s TTL; an unknown thread is refused', async () => {
      const thread = makeThread();
      await store.threads.insert(thread);
      expect(await ttls.set(thread.thread_id, { strategy: 'delete', ttl: 1.5, expires_at: at(90_000) })).toBe(true);
      expect(await ttls.getMany([thread.thread_id, randomUUID()])).toEqual(
        new Map([[thread.thread_id, { strategy: 'delete', ttl: 1.5, expires_at: at(90_000) }]]),
      );
      await ttls.set(thread.thread_id, { strategy: 'keep_latest', ttl: 10, expires_at: at(600_000) });
      expect((await ttls.getMany([thread.thread_id])).get(thread.thread_id)).toEqual({ strategy: 'keep_latest', ttl: 10, expires_at: at(600_000) });
      await ttls.set(thread.thread_id, null);
      expect((await ttls.getMany([thread.thread_id])).size).toBe(0);
      expect(await ttls.set(randomUUID(), { strategy: 'delete', ttl: 1, expires_at: at(0) })).toBe(false);
      expect(await ttls.getMany([])).toEqual(new Map());
    });

    it('lists threads whose TTL lapsed by a given time, soonest first, up to a limit; deleting a thread drops its TTL', async () => {
      const base = 10_000_000;
      const [late, early, never, gone] = [makeThread(), makeThread(), makeThread(), makeThread()];
      for (const thread of [late, early, never, gone]) await store.threads.insert(thread);
      await ttls.set(late.thread_id, { strategy: 'delete', ttl: 2, expires_at: at(base + 2_000) });
      await ttls.set(early.thread_id, { strategy: 'keep_latest', ttl: 1, expires_at: at(base + 1_000) });
      await ttls.set(gone.thread_id, { strategy: 'delete', ttl: 1, expires_at: at(base + 500) });
      await store.threads.delete(gone.thread_id);

      const mine = (list: { thread_id: string }[]) => list.filter((due) => [late, early, never].some((t) => t.thread_id === due.thread_id));
      expect(mine(await ttls.listDue(at(base + 999), 1000))).toEqual([]);
      expect(mine(await ttls.listDue(at(base + 1_000), 1000))).toEqual([{ thread_id: early.thread_id, strategy: 'keep_latest', ttl: 1 }]);
      expect(mine(await ttls.listDue(at(base + 5_000), 1000)).map((due) => due.thread_id)).toEqual([early.thread_id, late.thread_id]);
      expect(await ttls.listDue(at(base + 5_000), 1)).toHaveLength(1);
    });
  });
}
