import { at, createCommand, makeRun, makeThread, successResult } from '../persistence/testing/builders';
import type { StoreFactory, StoreFixture } from '../persistence/testing/store-fixture';
import { newDelivery } from '../webhooks/testing/delivery-fixtures';
import type { RunEnd, RunRecord, RunWebhookFactory } from './run-record';

/** The runs port's half of the webhook outbox: a run's end and its delivery row commit together. */
export function describeRunsOutbox(name: string, factory: StoreFactory): void {
  describe(`RunsRepository outbox on ${name}`, () => {
    let store: StoreFixture;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store?.close();
    });

    async function pendingRun(values: Record<string, unknown> | null = null) {
      const thread = makeThread();
      await store.threads.insert(thread);
      if (values) await store.threads.saveState(thread.thread_id, { values, interrupts: {}, now: at(500) });
      const run = makeRun(thread.thread_id);
      await store.runs.createRun(createCommand(run));
      return run;
    }

    it('writes the delivery with the run end, and also when the run is already gone', async () => {
      const run = await pendingRun();
      await store.runs.claim('w1', 1, Date.parse(at(2_000)), Date.parse(at(30_000)));
      const delivery = newDelivery({ run_id: run.run_id, thread_id: run.thread_id });
      await store.runs.finish(run.run_id, { ...successResult(at(3_000)), delivery });
      expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'success' });
      expect(await store.deliveries.get(delivery.delivery_id)).toMatchObject({ run_id: run.run_id, status: 'pending', attempts: 0 });

      const orphan = newDelivery();
      await store.runs.finish(orphan.run_id, { ...successResult(at(4_000)), delivery: orphan });
      expect(await store.deliveries.get(orphan.delivery_id)).toMatchObject({ run_id: orphan.run_id, status: 'pending' });
    });

    it('calls onCommitted once the run end is committed, and not for an attempt fenced out', async () => {
      const run = await pendingRun();
      const [claimed] = await store.runs.claim('w1', 1, Date.parse(at(2_000)), Date.parse(at(30_000)));
      const delivery = newDelivery({ run_id: run.run_id, thread_id: run.thread_id });
      const seen: (string | undefined)[] = [];
      let read: Promise<unknown> = Promise.resolve();
      // What a dispatcher woken at that moment reads is the committed delivery.
      const onCommitted = () => (read = store.deliveries.get(delivery.delivery_id).then((found) => seen.push(found?.status)));
      const stale = { ...successResult(at(3_000)), delivery: newDelivery({ run_id: run.run_id }), onCommitted: () => void seen.push('stale') };
      expect(await store.runs.finish(run.run_id, stale, { attempt: claimed.attempt + 1 })).toBe(false);
      expect(await store.runs.finish(run.run_id, { ...successResult(at(3_000)), delivery, onCommitted }, { attempt: claimed.attempt })).toBe(true);
      await read;
      expect(seen).toEqual(['pending']);
    });

    it('gives a pending run ended by cancel its delivery, built from the run and the thread’s values', async () => {
      const run = await pendingRun({ messages: ['so far'] });
      const seen: { record: RunRecord; end: RunEnd }[] = [];
      const webhookFor: RunWebhookFactory = (record, end) => {
        seen.push({ record, end });
        return newDelivery({ run_id: record.run_id, thread_id: record.thread_id });
      };
      await store.runs.cancel({ runIds: [run.run_id], action: 'interrupt', now: at(2_000), webhookFor });
      expect(seen).toEqual([
        {
          record: expect.objectContaining({ run_id: run.run_id, status: 'pending', kwargs: run.kwargs }),
          end: { status: 'interrupted', endedAt: at(2_000), error: null, values: { messages: ['so far'] } },
        },
      ]);
      expect((await store.deliveries.search({ run_id: run.run_id }, 10, 0)).total).toBe(1);
    });

    it('writes deliveries for runs a multitask interrupt or rollback ends, none when the factory declines', async () => {
      const first = await pendingRun();
      const second = makeRun(first.thread_id, { created_at: at(2_000), multitask_strategy: 'rollback' });
      const webhookFor: RunWebhookFactory = (record) => newDelivery({ run_id: record.run_id, thread_id: record.thread_id });
      await store.runs.createRun({ ...createCommand(second), webhookFor });
      expect(await store.runs.get(first.run_id)).toBeNull();
      expect((await store.deliveries.search({ run_id: first.run_id }, 10, 0)).total).toBe(1);

      const third = makeRun(first.thread_id, { created_at: at(3_000), multitask_strategy: 'interrupt' });
      await store.runs.createRun({ ...createCommand(third), webhookFor: () => null });
      expect(await store.runs.get(second.run_id)).toMatchObject({ status: 'interrupted' });
      expect((await store.deliveries.search({ run_id: second.run_id }, 10, 0)).total).toBe(0);
    });
  });
}
