import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { PutItemCommand, SearchItemsQuery, StoreCondition } from './store-record';
import type { StoreRepository } from './store.repository';

export interface StoreRepositoryFixture {
  store: StoreRepository;
  close(): Promise<void>;
}

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function putCommand(namespace: string[], key: string, value: Record<string, unknown>, overrides: Partial<PutItemCommand> = {}): PutItemCommand {
  return { namespace, key, value, now: iso(T0), ttlMinutes: null, vectors: null, ...overrides };
}

const search = (overrides: Partial<SearchItemsQuery> = {}): SearchItemsQuery => ({
  namespacePrefix: [],
  conditions: [],
  limit: 10,
  offset: 0,
  queryVector: null,
  nowMs: T0,
  refreshTtl: false,
  ...overrides,
});

/** What StoreService and graphs rely on from the store port, whatever the database. */
export function describeStoreRepository(name: string, factory: () => Promise<StoreRepositoryFixture>): void {
  describe(`StoreRepository on ${name}`, () => {
    let fixture: StoreRepositoryFixture;
    let sut: StoreRepository;
    beforeEach(async () => {
      fixture = await factory();
      sut = fixture.store;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('puts, gets, replaces (keeping created_at) and deletes an item', async () => {
      await sut.put(putCommand(['users', 'u1'], 'prefs', { theme: 'dark' }));
      expect(await sut.get(['users', 'u1'], 'prefs', T0, false)).toEqual({
        namespace: ['users', 'u1'], key: 'prefs', value: { theme: 'dark' }, created_at: iso(T0), updated_at: iso(T0),
      });
      await sut.put(putCommand(['users', 'u1'], 'prefs', { theme: 'light', nested: { a: [1, 2] } }, { now: iso(T0 + 5000) }));
      const replaced = await sut.get(['users', 'u1'], 'prefs', T0, false);
      expect(replaced?.value).toEqual({ theme: 'light', nested: { a: [1, 2] } });
      expect([replaced?.created_at, replaced?.updated_at]).toEqual([iso(T0), iso(T0 + 5000)]);
      expect(await sut.get(['users'], 'prefs', T0, false)).toBeNull();
      await sut.delete(['users', 'u1'], 'prefs');
      expect(await sut.get(['users', 'u1'], 'prefs', T0, false)).toBeNull();
      await sut.delete(['users', 'u1'], 'prefs');
    });

    it('searches a namespace prefix by labels, newest first, with limit and offset', async () => {
      await sut.put(putCommand(['a', 'b'], 'k1', { n: 1 }, { now: iso(T0 + 1) }));
      await sut.put(putCommand(['a', 'b', 'c'], 'k2', { n: 2 }, { now: iso(T0 + 2) }));
      await sut.put(putCommand(['a', 'bc'], 'k3', { n: 3 }, { now: iso(T0 + 3) }));
      await sut.put(putCommand(['x'], 'k4', { n: 4 }, { now: iso(T0 + 4) }));
      const keys = async (overrides: Partial<SearchItemsQuery>) => (await sut.search(search(overrides))).map((item) => item.key);
      expect(await keys({ namespacePrefix: ['a', 'b'] })).toEqual(['k2', 'k1']);
      expect(await keys({ namespacePrefix: ['a'] })).toEqual(['k3', 'k2', 'k1']);
      expect(await keys({})).toEqual(['k4', 'k3', 'k2', 'k1']);
      expect(await keys({ limit: 2, offset: 1 })).toEqual(['k3', 'k2']);
      expect((await sut.search(search({ namespacePrefix: ['a', 'b', 'c'] })))[0]?.namespace).toEqual(['a', 'b', 'c']);
    });

    it('filters on value fields with equality and $eq/$ne/$gt/$gte/$lt/$lte', async () => {
      await sut.put(putCommand(['docs'], 'a', { kind: 'note', size: 1, tags: ['x'], done: true }));
      await sut.put(putCommand(['docs'], 'b', { kind: 'note', size: 5, tags: ['y'], done: false }));
      await sut.put(putCommand(['docs'], 'c', { kind: 'memo', size: 10.5 }));
      await sut.put(putCommand(['docs'], 'd', { kind: 'memo', size: 'big' }));
      const keys = async (...conditions: StoreCondition[]) =>
        (await sut.search(search({ conditions }))).map((item) => item.key).sort();
      expect(await keys({ field: 'kind', op: 'eq', value: 'note' })).toEqual(['a', 'b']);
      expect(await keys({ field: 'kind', op: 'ne', value: 'note' })).toEqual(['c', 'd']);
      expect(await keys({ field: 'done', op: 'ne', value: true })).toEqual(['b', 'c', 'd']);
      expect(await keys({ field: 'done', op: 'eq', value: false })).toEqual(['b']);
      expect(await keys({ field: 'tags', op: 'eq', value: ['y'] })).toEqual(['b']);
      expect(await keys({ field: 'size', op: 'gt', value: 1 })).toEqual(['b', 'c']);
      expect(await keys({ field: 'size', op: 'gte', value: 1 })).toEqual(['a', 'b', 'c']);
      expect(await keys({ field: 'size', op: 'lt', value: 5 })).toEqual(['a']);
      expect(await keys({ field: 'size', op: 'lte', value: 10.5 }, { field: 'kind', op: 'eq', value: 'memo' })).toEqual(['c']);
      expect(await keys({ field: 'size', op: 'gte', value: 'b' })).toEqual(['d']);
      expect(await keys({ field: 'missing', op: 'eq', value: null })).toEqual([]);
    });

    it('ranks by cosine similarity of the best-matching vector, within the prefix and filter', async () => {
      await sut.put(putCommand(['m'], 'east', { kind: 'dir' }, { vectors: [{ field: '$#0', embedding: [1, 0, 0] }] }));
      await sut.put(putCommand(['m'], 'north', { kind: 'dir' }, {
        vectors: [{ field: 'a#0', embedding: [0, 0, 1] }, { field: 'b#0', embedding: [0, 1, 0] }],
      }));
      await sut.put(putCommand(['m'], 'diag', { kind: 'other' }, { vectors: [{ field: '$#0', embedding: [1, 1, 0] }] }));
      await sut.put(putCommand(['m'], 'plain', { kind: 'dir' }));
      await sut.put(putCommand(['other'], 'east2', { kind: 'dir' }, { vectors: [{ field: '$#0', embedding: [1, 0, 0] }] }));
      const hits = await sut.search(search({ namespacePrefix: ['m'], queryVector: [0, 1, 0] }));
      expect(hits.map((hit) => hit.key)).toEqual(['north', 'diag', 'east']);
      expect(hits[0]?.score).toBeCloseTo(1, 5);
      expect(hits[1]?.score).toBeCloseTo(Math.SQRT1_2, 5);
      expect(hits[2]?.score).toBeCloseTo(0, 5);
      const filtered = await sut.search(search({ queryVector: [1, 0, 0], conditions: [{ field: 'kind', op: 'eq', value: 'dir' }], limit: 2 }));
      expect(filtered.map((hit) => hit.key).sort()).toEqual(['east', 'east2']);
      // A put without vectors drops the old ones.
      await sut.put(putCommand(['m'], 'north', { kind: 'dir' }));
      expect((await sut.search(search({ queryVector: [0, 1, 0], namespacePrefix: ['m'] }))).map((hit) => hit.key)).toEqual(['diag', 'east']);
      expect((await sut.search(search({ namespacePrefix: ['m'] })))[0]?.score).toBeUndefined();
    });

    it('hides expired items from every read before any sweep, refreshes on request, and sweeps them', async () => {
      await sut.put(putCommand(['t'], 'short', { v: 1 }, { ttlMinutes: 1 }));
      await sut.put(putCommand(['t'], 'forever', { v: 2 }));
      const later = T0 + 59_000;
      expect(await sut.get(['t'], 'short', later, false)).not.toBeNull();
      expect(await sut.get(['t'], 'short', T0 + 60_000, false)).toBeNull();
      expect((await sut.search(search({ nowMs: T0 + 60_000 }))).map((item) => item.key)).toEqual(['forever']);
      expect(await sut.listNamespaces([], T0 + 60_000)).toEqual([['t']]);
      await sut.delete(['t'], 'forever');
      expect(await sut.listNamespaces([], T0 + 60_000)).toEqual([]);

      // A refreshing read at 59 s moves the expiry to 119 s; a search refreshes what it returns.
      await sut.get(['t'], 'short', later, true);
      expect(await sut.get(['t'], 'short', T0 + 100_000, false)).not.toBeNull();
      await sut.search(search({ nowMs: T0 + 110_000, refreshTtl: true }));
      expect(await sut.get(['t'], 'short', T0 + 160_000, false)).not.toBeNull();
      expect(await sut.get(['t'], 'short', T0 + 170_000, true)).toBeNull();

      expect(await sut.sweep(T0 + 100_000)).toBe(0);
      expect(await sut.sweep(T0 + 170_000)).toBe(1);
      expect(await sut.search(search({ nowMs: T0 }))).toEqual([]);
    });

    it('lists the distinct live namespaces under a prefix, sorted', async () => {
      await sut.put(putCommand(['a', 'b'], 'k1', {}));
      await sut.put(putCommand(['a', 'b'], 'k2', {}));
      await sut.put(putCommand(['a', 'c', 'd'], 'k3', {}));
      await sut.put(putCommand(['ab'], 'k4', {}));
      expect(await sut.listNamespaces([], T0)).toEqual([['a', 'b'], ['a', 'c', 'd'], ['ab']]);
      expect(await sut.listNamespaces(['a'], T0)).toEqual([['a', 'b'], ['a', 'c', 'd']]);
      expect(await sut.listNamespaces(['a', 'c', 'd'], T0)).toEqual([['a', 'c', 'd']]);
    });
  });
}
