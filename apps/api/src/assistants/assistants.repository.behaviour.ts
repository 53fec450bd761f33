import type { Assistant } from '@runhook/contracts';
import { randomUUID } from 'node:crypto';
import type { StoreFactory, StoreFixture } from '../persistence/testing/store-fixture';

function assistant(overrides: Partial<Assistant> = {}): Assistant {
  return {
    assistant_id: randomUUID(),
    graph_id: 'agent',
    config: { configurable: { model: 'fake' } },
    context: null,
    metadata: {},
    version: 1,
    name: 'Assistant',
    description: null,
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** What users rely on from the assistants port, whatever the database. */
export function describeAssistantsRepository(name: string, factory: StoreFactory): void {
  describe(`AssistantsRepository on ${name}`, () => {
    let store: StoreFixture;
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('inserts, reads back with ISO times, and refuses a taken id', async () => {
      const created = assistant({ context: { tone: 'dry' }, metadata: { owner: 'ops', nested: { a: [1, 2] } }, description: 'd' });
      expect(await store.assistants.insert(created)).toEqual(created);
      expect(await store.assistants.get(created.assistant_id)).toEqual(created);
      expect(await store.assistants.insert({ ...created, name: 'other' })).toBeNull();
      expect((await store.assistants.get(created.assistant_id))?.name).toBe('Assistant');
      expect(await store.assistants.get(randomUUID())).toBeNull();
    });

    it('update makes a new version, merges metadata and keeps created_at', async () => {
      const created = assistant({ metadata: { a: 1, b: 1 } });
      await store.assistants.insert(created);
      const now = '2025-02-01T00:00:00.000Z';
      const updated = await store.assistants.update(created.assistant_id, { metadata: { b: 2, c: 3 }, name: 'Renamed', context: { x: 1 } }, now);
      expect(updated).toMatchObject({ version: 2, name: 'Renamed', metadata: { a: 1, b: 2, c: 3 }, context: { x: 1 } });
      expect(updated?.created_at).toBe(created.created_at);
      expect(updated?.updated_at).toBe(now);
      expect(await store.assistants.get(created.assistant_id)).toEqual(updated);
      expect(await store.assistants.update(randomUUID(), { name: 'x' }, now)).toBeNull();
    });

    it('lists versions newest first, filtered by metadata, and sets an older one latest', async () => {
      const created = assistant({ metadata: { stage: 'one' } });
      await store.assistants.insert(created);
      await store.assistants.update(created.assistant_id, { metadata: { stage: 'two' }, name: 'v2' }, '2025-02-01T00:00:00.000Z');
      await store.assistants.update(created.assistant_id, { metadata: { stage: 'three' }, name: 'v3' }, '2025-03-01T00:00:00.000Z');
      const versions = await store.assistants.listVersions(created.assistant_id, { limit: 10, offset: 0 });
      expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
      expect(versions[0]).not.toHaveProperty('updated_at');
      expect((await store.assistants.listVersions(created.assistant_id, { limit: 1, offset: 1 })).map((v) => v.version)).toEqual([2]);
      const two = await store.assistants.listVersions(created.assistant_id, { metadata: { stage: 'two' }, limit: 10, offset: 0 });
      expect(two.map((v) => v.name)).toEqual(['v2']);

      const latest = await store.assistants.setLatest(created.assistant_id, 1, '2025-04-01T00:00:00.000Z');
      expect(latest).toMatchObject({ version: 1, name: 'Assistant', created_at: created.created_at, updated_at: '2025-04-01T00:00:00.000Z' });
      expect((await store.assistants.get(created.assistant_id))?.version).toBe(1);
      expect(await store.assistants.setLatest(created.assistant_id, 99, '2025-04-01T00:00:00.000Z')).toBeNull();
    });

    it('deletes an assistant with its versions', async () => {
      const created = assistant();
      await store.assistants.insert(created);
      expect(await store.assistants.delete(created.assistant_id)).toBe(true);
      expect(await store.assistants.get(created.assistant_id)).toBeNull();
      expect(await store.assistants.listVersions(created.assistant_id, { limit: 10, offset: 0 })).toEqual([]);
      expect(await store.assistants.delete(created.assistant_id)).toBe(false);
    });

    it('searches by graph, name and metadata with sort, pagination and totals', async () => {
      const tag = randomUUID();
      const rows = [
        assistant({ graph_id: 'g-search', name: 'Alpha Bot', metadata: { tag, team: 'red' }, created_at: '2025-01-01T00:00:01.000Z' }),
        assistant({ graph_id: 'g-search', name: 'beta bot', metadata: { tag, team: 'blue' }, created_at: '2025-01-01T00:00:02.000Z' }),
        assistant({ graph_id: 'g-other', name: 'Gamma 100%', metadata: { tag, team: 'red' }, created_at: '2025-01-01T00:00:03.000Z' }),
      ];
      for (const row of rows) await store.assistants.insert({ ...row, updated_at: row.created_at });
      const page = { limit: 10, offset: 0, sortBy: 'created_at', sortOrder: 'desc' as const };
      const all = await store.assistants.search({ metadata: { tag } }, page);
      expect(all.total).toBe(3);
      expect(all.items.map((a) => a.name)).toEqual(['Gamma 100%', 'beta bot', 'Alpha Bot']);
      expect((await store.assistants.search({ metadata: { tag }, graph_id: 'g-search' }, page)).items.map((a) => a.name)).toEqual([
        'beta bot',
        'Alpha Bot',
      ]);
      expect((await store.assistants.search({ metadata: { tag }, name: 'BOT' }, page)).total).toBe(2);
      expect((await store.assistants.search({ metadata: { tag }, name: '100%' }, page)).items.map((a) => a.name)).toEqual(['Gamma 100%']);
      expect((await store.assistants.search({ metadata: { tag }, name: '_' }, page)).total).toBe(0);
      expect((await store.assistants.search({ metadata: { tag, team: 'red' } }, page)).total).toBe(2);

      const second = await store.assistants.search({ metadata: { tag } }, { limit: 1, offset: 1, sortBy: 'name', sortOrder: 'asc' });
      expect(second).toEqual({ items: [expect.objectContaining({ name: 'Gamma 100%' })], total: 3 });
      const beyond = await store.assistants.search({ metadata: { tag } }, { ...page, offset: 5 });
      expect(beyond).toEqual({ items: [], total: 3 });
      expect(await store.assistants.count({ metadata: { tag } })).toBe(3);
      expect(await store.assistants.count({ metadata: { tag }, graph_id: 'g-other' })).toBe(1);
      expect(await store.assistants.count({ metadata: { tag: randomUUID() } })).toBe(0);
    });
  });
}
