import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { at, createCommand, makeRun, makeThread, T0 } from '../persistence/testing/builders';
import type { StoreFactory, StoreFixture } from '../persistence/testing/store-fixture';
import { newDelivery } from '../webhooks/testing/delivery-fixtures';
import type { MetricsRepository } from './metrics.repository';

/** The behaviour every MetricsRepository adapter must have, on a store also written through the other ports. */
export function describeMetricsRepository(adapter: string, factory: StoreFactory, create: (store: StoreFixture) => MetricsRepository): void {
  describe(`MetricsRepository (${adapter})`, () => {
    let store: StoreFixture;
    let sut: MetricsRepository;

    beforeEach(async () => {
      store = await factory();
      sut = create(store);
    });

    afterEach(async () => {
      await store.close();
    });

    it('reports an empty queue as zeros and no oldest time', async () => {
      expect(await sut.queueFigures(T0)).toEqual({ pendingRuns: 0, oldestDueRunAtMs: null, dueDeliveries: 0, oldestDueDeliveryAtMs: null });
    });

    it('counts pending runs (delayed ones too) and dates the oldest due one; claimed runs leave the queue', async () => {
      const runs = [];
      for (const dueAt of [1_000, 3_000, 120_000]) {
        const thread = makeThread();
        const run = makeRun(thread.thread_id, { created_at: at(dueAt) });
        runs.push(run);
        expect((await store.runs.createRun(createCommand(run, { threadToCreate: thread }))).kind).toBe('created');
      }

      expect(await sut.queueFigures(T0 + 10_000)).toMatchObject({ pendingRuns: 3, oldestDueRunAtMs: T0 + 1_000 });

      const claimed = await store.runs.claim('worker-1', 1, T0 + 10_000, T0 + 40_000);
      expect(claimed.map((run) => run.run_id)).toEqual([runs[0]?.run_id]);
      expect(await sut.queueFigures(T0 + 10_000)).toMatchObject({ pendingRuns: 2, oldestDueRunAtMs: T0 + 3_000 });
      // Before any run is due, the delayed ones still count as queued but none has waited yet.
      expect(await sut.queueFigures(T0)).toMatchObject({ pendingRuns: 2, oldestDueRunAtMs: null });
    });

    it('counts the deliveries due now and dates the oldest; future retries and claimed ones are not due', async () => {
      const base = Date.parse('2026-03-01T12:00:00.000Z');
      await store.deliveries.insert(newDelivery({ created_at: base }));
      await store.deliveries.insert(newDelivery({ created_at: base + 500 }));
      await store.deliveries.insert(newDelivery({ created_at: base + 60_000 }));

      expect(await sut.queueFigures(base + 1_000)).toMatchObject({ dueDeliveries: 2, oldestDueDeliveryAtMs: base });

      await store.deliveries.claim({ owner: 'w', nowMs: base + 1_000, leaseUntilMs: base + 31_000, limit: 1, perEndpoint: 8 });
      expect(await sut.queueFigures(base + 1_000)).toMatchObject({ dueDeliveries: 1, oldestDueDeliveryAtMs: base + 500 });
      expect(await sut.queueFigures(base + 60_000)).toMatchObject({ dueDeliveries: 2, oldestDueDeliveryAtMs: base + 500 });
    });
  });
}
