import { Annotation, getStore, StateGraph } from '@langchain/langgraph';
import type { Item, Operation, SearchItem } from '@langchain/langgraph-checkpoint';
import { ManualClock } from '@runhook/testing';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { parseStoreConfig } from '../config/store-config';
import { describeEachStore, type StoreFixture } from '../persistence/testing/store-fixture';
import { PostgresStoreRepository } from './postgres-store.repository';
import { RunhookStore } from './runhook-store';
import { SqliteStoreRepository } from './sqlite-store.repository';
import { StoreSweeper } from './store-sweeper.service';
import { StoreService } from './store.service';

// tsx's loader cannot run inside jest's module system; jest compiles the TypeScript embed module itself.
jest.mock('../graphs/graph-loader', () => ({
  importGraphExport: (_id: string, spec: { modulePath: string; exportName: string }) =>
    (jest.requireActual(spec.modulePath) as Record<string, unknown>)[spec.exportName],
}));

const FIXTURE_DIR = join(__dirname, '../../test/fixtures/store');
const MINUTE = 60_000;

function configWith(store: Record<string, unknown>): AppConfig {
  return { langgraph: { store: parseStoreConfig(store, FIXTURE_DIR) }, worker: { isForkedWorker: false } } as unknown as AppConfig;
}

async function serviceOn(fixture: StoreFixture, store: Record<string, unknown>, clock: ManualClock): Promise<StoreService> {
  const repository = fixture.sqlite
    ? new SqliteStoreRepository(fixture.sqlite)
    : new PostgresStoreRepository(fixture.postgres?.pool as NonNullable<StoreFixture['postgres']>['pool']);
  const service = new StoreService(configWith(store), repository, clock);
  await service.onModuleInit();
  return service;
}

describeEachStore((name, factory) => {
  describe(`StoreService on ${name}`, () => {
    let fixture: StoreFixture;
    let clock: ManualClock;
    beforeEach(async () => {
      fixture = await factory();
      clock = new ManualClock(Date.parse('2026-01-01T10:00:00.000Z'));
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('expires items by their ttl or store.ttl.default_ttl, hidden before the sweep, which then deletes them', async () => {
      const sut = await serviceOn(fixture, { ttl: { default_ttl: 10, refresh_on_read: false } }, clock);
      await sut.put({ namespace: ['t'], key: 'default', value: {} });
      await sut.put({ namespace: ['t'], key: 'short', value: {}, ttl: 1 });
      await sut.put({ namespace: ['t'], key: 'forever', value: {}, ttl: null });
      clock.advance(MINUTE);
      expect(await sut.get(['t'], 'short')).toBeNull();
      expect((await sut.search(['t'])).map((item) => item.key).sort()).toEqual(['default', 'forever']);
      clock.advance(9 * MINUTE);
      expect((await sut.search(['t'])).map((item) => item.key)).toEqual(['forever']);
      expect(await sut.listNamespaces()).toEqual([['t']]);
      const sweeper = new StoreSweeper(configWith({}), sut);
      expect(await sweeper.sweepOnce()).toBe(2);
      expect(await sweeper.sweepOnce()).toBe(0);
    });

    it('refreshes the ttl on reads by default (store.ttl.refresh_on_read), unless the read says not to', async () => {
      const sut = await serviceOn(fixture, {}, clock);
      await sut.put({ namespace: ['t'], key: 'k', value: { n: 1 }, ttl: 2 });
      clock.advance(1.5 * MINUTE);
      expect(await sut.get(['t'], 'k')).not.toBeNull(); // refreshed: now lives until 3.5 min
      clock.advance(1.5 * MINUTE);
      expect(await sut.get(['t'], 'k', false)).not.toBeNull(); // not refreshed
      clock.advance(0.5 * MINUTE);
      expect(await sut.search(['t'], { refreshTtl: false })).toEqual([]);
    });

    it('embeds store.index fields with the configured embed export and ranks a query by cosine similarity', async () => {
      const sut = await serviceOn(fixture, { index: { dims: 4, embed: './embed.ts:embeddings' } }, clock);
      await sut.put({ namespace: ['docs'], key: 'cats', value: { title: 'cats', body: 'a cat and a dog' } });
      await sut.put({ namespace: ['docs'], key: 'fish', value: { title: 'fish', body: 'fish' } });
      await sut.put({ namespace: ['docs'], key: 'birds', value: { title: 'birds', body: 'a dog' }, index: ['title'] });
      await sut.put({ namespace: ['docs'], key: 'hidden', value: { title: 'cat' }, index: false });
      const hits = await sut.search(['docs'], { query: 'bird' });
      expect(hits.map((hit) => hit.key)).toEqual(['birds', 'cats', 'fish']);
      expect(hits[0]?.score).toBeGreaterThan(0.99);
      expect((await sut.search(['docs'], { query: 'cat', filter: { title: { $ne: 'cats' } } })).map((hit) => hit.key)).toEqual(['birds', 'fish']);
      // Without an index the query is ignored: items come newest first, without a score.
      const plain = await serviceOn(fixture, {}, clock);
      expect((await plain.search(['docs'], { query: 'bird' }))[0]?.score).toBeUndefined();
    });

    it('lists namespaces with wildcard prefixes, suffixes, max_depth and pages', async () => {
      const sut = await serviceOn(fixture, {}, clock);
      for (const namespace of [['a', 'x', 'mem'], ['a', 'y', 'mem'], ['a', 'y', 'log'], ['b', 'x', 'mem']]) {
        await sut.put({ namespace, key: 'k', value: {} });
      }
      expect(await sut.listNamespaces({ prefix: ['*', 'x'] })).toEqual([['a', 'x', 'mem'], ['b', 'x', 'mem']]);
      expect(await sut.listNamespaces({ prefix: ['a'], suffix: ['mem'] })).toEqual([['a', 'x', 'mem'], ['a', 'y', 'mem']]);
      expect(await sut.listNamespaces({ maxDepth: 2 })).toEqual([['a', 'x'], ['a', 'y'], ['b', 'x']]);
      expect(await sut.listNamespaces({ limit: 2, offset: 1 })).toEqual([['a', 'y', 'log'], ['a', 'y', 'mem']]);
    });

    it('is a LangGraph BaseStore: a compiled graph reads and writes it through getStore() and batch()', async () => {
      const store = new RunhookStore(await serviceOn(fixture, { index: { dims: 4, embed: './embed.ts:embed', fields: ['text'] } }, clock));
      const State = Annotation.Root({ out: Annotation<unknown[]>() });
      const graph = new StateGraph(State)
        .addNode('use', async () => {
          const inNode = getStore();
          if (!inNode) throw new Error('no store in the node');
          await inNode.put(['m', 'u'], 'a', { text: 'cats' });
          await inNode.put(['m', 'u'], 'b', { text: 'fish' });
          const found = await inNode.search(['m'], { query: 'fish' });
          await inNode.delete(['m', 'u'], 'a');
          // (LangGraph's AsyncBatchedStore, which wraps a graph's store, has no listNamespaces.)
          return { out: [found.map((item) => item.key), await inNode.get(['m', 'u'], 'a')] };
        })
        .addEdge('__start__', 'use')
        .compile({ store });
      expect((await graph.invoke({})).out).toEqual([['b', 'a'], null]);
      expect(await store.listNamespaces({ prefix: ['m'] })).toEqual([['m', 'u']]);

      // One batch, in order: a get sees the put before it, a null value deletes.
      const operations: Operation[] = [
        { namespace: ['m', 'v'], key: 'x', value: { text: 'dog' } },
        { namespace: ['m', 'v'], key: 'x' },
        { namespace: ['m', 'v'], key: 'x', value: null },
        { namespace: ['m', 'v'], key: 'x' },
        { namespacePrefix: ['m'], limit: 5, offset: 0 },
      ];
      const [put, seen, removed, gone, search] = (await store.batch(operations)) as unknown as [void, Item | null, void, Item | null, SearchItem[]];
      expect(put).toBeUndefined();
      expect(removed).toBeUndefined();
      expect(seen?.value).toEqual({ text: 'dog' });
      expect(seen?.createdAt).toBeInstanceOf(Date);
      expect(gone).toBeNull();
      expect(search.map((item) => item.key)).toEqual(['b']);
      await expect(store.put(['bad.label'], 'k', {})).rejects.toThrow(/periods/);
    });
  });
});
