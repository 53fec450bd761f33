import { at, createCommand, makeRun, makeThread, successResult } from '../persistence/testing/builders';
import type { StoreFactory, StoreFixture } from '../persistence/testing/store-fixture';
import { newDelivery } from '../webhooks/testing/delivery-fixtures';

const ms = (offset: number) => Date.parse(at(offset));

/**
 * Fencing of the runs queue: the attempt a worker claimed is its token, and every write of that execution
 * (renewal, events, the run end with its delivery) applies only while the run is `running` under it.
 */
export function describeRunsFencing(name: string, factory: StoreFactory): void {
  describe(`RunsRepository fencing on ${name}`, () => {
    let store: StoreFixture;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store?.close();
    });

    async function thread() {
      const created = makeThread();
      await store.threads.insert(created);
      return created.thread_id;
    }

    async function enqueue(threadId: string, offset: number) {
      const run = makeRun(threadId, { created_at: at(offset) });
      await store.runs.createRun(createCommand(run));
      return { run };
    }

    const held = (runId: string, attempt = 1) => new Map([[runId, { attempt }]]);
    const claimIds = async (owner: string, limit: number, now: number, lease: number) =>
      (await store.runs.claim(owner, limit, ms(now), ms(lease))).map((r) => r.run_id);

    it('ends runs out of attempts as WorkerLost errors in the reclaim, thread and delivery included', async () => {
        const threadId = await thread();
        const { run } = await enqueue(threadId, 1_000);
        await claimIds('w1', 1, 2_000, 3_000);
        await store.runs.reclaimExpired({ nowMs: ms(4_000), maxAttempts: 2 });
        await claimIds('w1', 1, 5_000, 6_000);
        const delivered: string[] = [];
        const { requeued, exhausted } = await store.runs.reclaimExpired({
          nowMs: ms(7_000),
          maxAttempts: 2,
          webhookFor: (record, end) => {
            delivered.push(`${record.run_id} ${end.status} ${end.error?.error}`);
            return newDelivery({ run_id: record.run_id, thread_id: record.thread_id });
          },
        });
        expect(requeued).toEqual([]);
        expect(exhausted).toEqual([expect.objectContaining({ run_id: run.run_id, attempt: 2 })]);
        expect(delivered).toEqual([`${run.run_id} error WorkerLost`]);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'error', ended_at: at(7_000), error: { error: 'WorkerLost' } });
        expect(await store.threads.get(threadId)).toMatchObject({ status: 'error' });
        expect((await store.deliveries.search({ run_id: run.run_id }, 10, 0)).total).toBe(1);
        // A second process reclaiming afterwards finds nothing left to fail again.
        expect(await store.runs.reclaimExpired({ nowMs: ms(9_000), maxAttempts: 2, webhookFor: () => newDelivery() })).toEqual({ requeued: [], exhausted: [] });
        expect((await store.deliveries.search({}, 10, 0)).total).toBe(1);
      });
      /** Worker w1 claims, stalls past its lease; the run is re-queued and w2 claims it as attempt 2. */
      async function takenOver() {
        const threadId = await thread();
        const { run } = await enqueue(threadId, 1_000);
        const [first] = await store.runs.claim('w1', 1, ms(2_000), ms(3_000));
        expect(await store.runs.reclaimExpired({ nowMs: ms(4_000), maxAttempts: 3 })).toEqual({ requeued: [run.run_id], exhausted: [] });
        const [second] = await store.runs.claim('w2', 1, ms(5_000), ms(60_000));
        expect([first.attempt, second.attempt]).toEqual([1, 2]);
        return { threadId, run };
      }

      const withDelivery = (runId: string, endedAt: string) => ({ ...successResult(endedAt), delivery: newDelivery({ run_id: runId }) });

      it('a stale worker’s run end changes nothing and enqueues nothing; the owner’s end applies once', async () => {
        const { threadId, run } = await takenOver();

        expect(await store.runs.finish(run.run_id, withDelivery(run.run_id, at(6_000)), { attempt: 1 })).toBe(false);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'running', attempt: 2, ended_at: null });
        expect((await store.threads.get(threadId))?.status).toBe('busy');
        expect((await store.deliveries.search({ run_id: run.run_id }, 10, 0)).total).toBe(0);

        expect(await store.runs.finish(run.run_id, withDelivery(run.run_id, at(7_000)), { attempt: 2 })).toBe(true);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'success', ended_at: at(7_000) });
        // A run that already ended ends no second time, even under the right attempt.
        expect(await store.runs.finish(run.run_id, withDelivery(run.run_id, at(8_000)), { attempt: 2 })).toBe(false);
        expect((await store.deliveries.search({ run_id: run.run_id }, 10, 0)).total).toBe(1);
      });

      it('a stale end of a re-queued (pending) run writes nothing either', async () => {
        const { run } = await enqueue(await thread(), 1_000);
        await store.runs.claim('w1', 1, ms(2_000), ms(3_000));
        await store.runs.reclaimExpired({ nowMs: ms(4_000), maxAttempts: 3 });
        expect(await store.runs.finish(run.run_id, withDelivery(run.run_id, at(5_000)), { attempt: 1 })).toBe(false);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'pending', ended_at: null });
        expect((await store.deliveries.search({}, 10, 0)).total).toBe(0);
      });

      it('renewal answers the lease as lost to the stale worker and keeps the new owner’s', async () => {
        const { run } = await takenOver();
        expect(await store.runs.renewLeases('w1', held(run.run_id, 1), ms(9_000))).toEqual({ lost: [run.run_id], cancels: [] });
        expect(await store.runs.renewLeases('w2', held(run.run_id, 1), ms(9_000))).toEqual({ lost: [run.run_id], cancels: [] });
        expect(await store.runs.renewLeases('w2', held(run.run_id, 2), ms(90_000))).toEqual({ lost: [], cancels: [] });
        // The stale renewal did not shorten the owner's lease.
        expect(await store.runs.reclaimExpired({ nowMs: ms(80_000), maxAttempts: 3 })).toEqual({ requeued: [], exhausted: [] });
      });

      it('a released lease puts the run back to pending at once, and the attempt does not count against the budget', async () => {
        const { run } = await enqueue(await thread(), 1_000);
        // One attempt allowed: were the released attempt counted, the next lapse would end the run as WorkerLost.
        const [first] = await store.runs.claim('w1', 1, ms(2_000), ms(60_000));
        expect(await store.runs.releaseLeases('w1', held(run.run_id, first.attempt), ms(3_000))).toEqual([run.run_id]);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'pending', ended_at: null, updated_at: at(3_000) });
        // Due now, well before the lease it had would have lapsed.
        const [second] = await store.runs.claim('w2', 1, ms(3_000), ms(4_000));
        expect(second).toMatchObject({ run_id: run.run_id, attempt: 2, started_at: first.started_at });
        expect(await store.runs.reclaimExpired({ nowMs: ms(5_000), maxAttempts: 2 })).toEqual({ requeued: [run.run_id], exhausted: [] });
        const [third] = await store.runs.claim('w3', 1, ms(6_000), ms(7_000));
        expect(third.attempt).toBe(3);
        // Two attempts used (the second and the third) now: the budget of two is spent.
        const { exhausted } = await store.runs.reclaimExpired({ nowMs: ms(8_000), maxAttempts: 2 });
        expect(exhausted.map((record) => record.run_id)).toEqual([run.run_id]);
      });

      it('a release applies only under the owner, the attempt and the running status it was claimed with', async () => {
        const { run } = await takenOver();
        // The stale first owner, and the new owner with a stale token, release nothing.
        expect(await store.runs.releaseLeases('w1', held(run.run_id, 1), ms(6_000))).toEqual([]);
        expect(await store.runs.releaseLeases('w2', held(run.run_id, 1), ms(6_000))).toEqual([]);
        expect(await store.runs.releaseLeases('w1', held(run.run_id, 2), ms(6_000))).toEqual([]);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'running', attempt: 2 });
        expect(await store.runs.renewLeases('w2', held(run.run_id, 2), ms(90_000))).toEqual({ lost: [], cancels: [] });
        // Once released, the stopped execution's writes are fenced off: its renewal, its events and its end.
        expect(await store.runs.releaseLeases('w2', held(run.run_id, 2), ms(7_000))).toEqual([run.run_id]);
        expect(await store.runs.renewLeases('w2', held(run.run_id, 2), ms(90_000))).toEqual({ lost: [run.run_id], cancels: [] });
        await store.runs.appendEvents(run.run_id, [{ seq: 1, event: 'values', data: '"released"' }], { attempt: 2 });
        expect(await store.runs.listEvents(run.run_id, 0)).toEqual([]);
        expect(await store.runs.finish(run.run_id, withDelivery(run.run_id, at(8_000)), { attempt: 2 })).toBe(false);
        expect((await store.deliveries.search({ run_id: run.run_id }, 10, 0)).total).toBe(0);
        // A run that ended is never released back into the queue.
        const [next] = await store.runs.claim('w3', 1, ms(9_000), ms(60_000));
        expect(await store.runs.finish(run.run_id, successResult(at(10_000)), { attempt: next.attempt })).toBe(true);
        expect(await store.runs.releaseLeases('w3', held(run.run_id, next.attempt), ms(11_000))).toEqual([]);
        expect(await store.runs.get(run.run_id)).toMatchObject({ status: 'success' });
      });

      it('events of a stale attempt are not stored', async () => {
        const { run } = await takenOver();
        await store.runs.appendEvents(run.run_id, [{ seq: 1, event: 'values', data: '"stale"' }], { attempt: 1 });
        await store.runs.appendEvents(run.run_id, [{ seq: 2, event: 'values', data: '"owner"' }], { attempt: 2 });
        expect((await store.runs.listEvents(run.run_id, 0)).map((event) => event.data)).toEqual(['"owner"']);
        const batch = [3, 4].map((seq) => ({ seq, event: 'values', data: `"batch ${seq}"` }));
        await store.runs.appendEvents(run.run_id, batch, { attempt: 1 });
        expect(await store.runs.listEvents(run.run_id, 2)).toEqual([]);
        await store.runs.appendEvents(run.run_id, batch, { attempt: 2 });
        expect((await store.runs.listEvents(run.run_id, 2)).map((event) => event.data)).toEqual(['"batch 3"', '"batch 4"']);
      });
  });
}
