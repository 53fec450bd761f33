import { AIMessage } from '@langchain/core/messages';
import { MessagesAnnotation, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { CHECKPOINT_FENCE_KEY, CheckpointStoreUnavailableError, isCheckpointStoreOutage, StaleAttemptError } from './checkpoint-fence';
import { createPgPool } from './postgres/pg-pool';
import { RunhookPostgresSaver } from './postgres/runhook-postgres-saver';
import { at, createCommand, makeRun, makeThread, successResult } from './testing/builders';
import { describeEachStore, type StoreFixture } from './testing/store-fixture';

const ms = (offset: number) => Date.parse(at(offset));

/**
 * Fencing of graph checkpoints: a worker passes the attempt it claimed, and the savers write that run's
 * checkpoints and pending writes only while the run is `running` under it, checked in the write's own
 * transaction. A stale worker (its run re-claimed by another attempt) writes nothing to the thread.
 */
describeEachStore((name, factory) => {
  describe(`checkpoint writes fenced by the run's attempt on ${name}`, () => {
    let store: StoreFixture;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store?.close();
    });

    const graph = () =>
      new StateGraph(MessagesAnnotation)
        .addNode('agent', () => ({ messages: [new AIMessage('reply')] }))
        .addEdge('__start__', 'agent')
        .compile({ checkpointer: store.saver });

    /** w1 claims the run as attempt 1 and stalls past its lease; w2 re-claims it as attempt 2. */
    async function takenOver() {
      const thread = makeThread();
      await store.threads.insert(thread);
      const run = makeRun(thread.thread_id, { created_at: at(1_000) });
      await store.runs.createRun(createCommand(run));
      await store.runs.claim('w1', 1, ms(2_000), ms(3_000));
      await store.runs.reclaimExpired({ nowMs: ms(4_000), maxAttempts: 3 });
      const [second] = await store.runs.claim('w2', 1, ms(5_000), ms(60_000));
      expect(second.attempt).toBe(2);
      return { threadId: thread.thread_id, runId: run.run_id };
    }

    const configFor = (threadId: string, runId: string, attempt: number) => ({
      configurable: { thread_id: threadId, [CHECKPOINT_FENCE_KEY]: { runId, attempt } },
    });
    const input = { messages: [{ role: 'human', content: 'hi' }] };

    it('refuses every checkpoint of the stale attempt and keeps the thread as the owner leaves it', async () => {
      const { threadId, runId } = await takenOver();
      await expect(graph().invoke(input, configFor(threadId, runId, 1))).rejects.toBeInstanceOf(StaleAttemptError);
      expect(await store.saver.getTuple({ configurable: { thread_id: threadId } })).toBeUndefined();

      const owner = await graph().invoke(input, configFor(threadId, runId, 2));
      expect(owner.messages.map((m) => m.content)).toEqual(['hi', 'reply']);
      const kept = await store.saver.getTuple({ configurable: { thread_id: threadId } });
      await expect(graph().invoke(input, configFor(threadId, runId, 1))).rejects.toBeInstanceOf(StaleAttemptError);
      expect((await store.saver.getTuple({ configurable: { thread_id: threadId } }))?.checkpoint.id).toBe(kept?.checkpoint.id);
    });

    /** After a take-over, the owner (attempt 2) has run the graph once: pending writes go to its latest checkpoint. */
    async function ownerCheckpointed() {
      const { threadId, runId } = await takenOver();
      await graph().invoke(input, configFor(threadId, runId, 2));
      const latest = await store.saver.getTuple({ configurable: { thread_id: threadId } });
      const writeConfig = (attempt: number) => ({
        configurable: { ...configFor(threadId, runId, attempt).configurable, checkpoint_ns: '', checkpoint_id: latest?.checkpoint.id },
      });
      return { runId, writeConfig };
    }

    it('refuses pending writes of the stale attempt, and every write once the run has ended', async () => {
      const { runId, writeConfig } = await ownerCheckpointed();
      await expect(store.saver.putWrites(writeConfig(1), [['messages', 'stale']], 'task-stale')).rejects.toBeInstanceOf(StaleAttemptError);
      await store.saver.putWrites(writeConfig(2), [['messages', 'owner']], 'task-owner');
      expect((await store.saver.getTuple(writeConfig(2)))?.pendingWrites).toEqual([['task-owner', 'messages', 'owner']]);

      expect(await store.runs.finish(runId, successResult(at(7_000)), { attempt: 2 })).toBe(true);
      await expect(store.saver.putWrites(writeConfig(2), [['messages', 'late']], 'task-late')).rejects.toBeInstanceOf(StaleAttemptError);
    });

    it('fences a fan-out of 600 pending writes as a whole, and accepts a replayed write of the owner', async () => {
      const { writeConfig } = await ownerCheckpointed();
      const fanOut = Array.from({ length: 600 }, (_, i) => ['messages', `part ${i}`] as [string, unknown]);
      await expect(store.saver.putWrites(writeConfig(1), fanOut, 'task-fan-out')).rejects.toBeInstanceOf(StaleAttemptError);
      expect((await store.saver.getTuple(writeConfig(2)))?.pendingWrites).toEqual([]);

      await store.saver.putWrites(writeConfig(2), fanOut, 'task-fan-out');
      const written = (await store.saver.getTuple(writeConfig(2)))?.pendingWrites ?? [];
      expect(written).toHaveLength(600);
      expect(written.at(-1)).toEqual(['task-fan-out', 'messages', 'part 599']);
      // Written again (a replayed task): nothing changes, and the owner is not taken for a stale attempt.
      await store.saver.putWrites(writeConfig(2), [['messages', 'part 0']], 'task-fan-out');
      expect((await store.saver.getTuple(writeConfig(2)))?.pendingWrites).toHaveLength(600);
      await expect(store.saver.putWrites(writeConfig(1), [['messages', 'part 0']], 'task-fan-out')).rejects.toBeInstanceOf(StaleAttemptError);
    });

    /** The saver as it is while its database cannot take writes: a read-only SQLite file, an unreachable server. */
    function savingToADatabaseThatIsDown(): { saver: BaseCheckpointSaver; restore: () => Promise<void> } {
      if (store.sqlite) {
        const db = store.sqlite;
        db.pragma('query_only = ON');
        return { saver: store.saver, restore: async () => void db.pragma('query_only = OFF') };
      }
      const unreachable = createPgPool('postgres://runhook@127.0.0.1:1/runhook', { max: 1 });
      return { saver: new RunhookPostgresSaver(unreachable, { schema: 'public' }), restore: () => unreachable.end() };
    }

    it('answers a database outage under a fenced checkpoint as an outage, not as a failure of the run', async () => {
      const { threadId, runId } = await takenOver();
      const down = savingToADatabaseThatIsDown();
      try {
        const failed = await new StateGraph(MessagesAnnotation)
          .addNode('agent', () => ({ messages: [new AIMessage('reply')] }))
          .addEdge('__start__', 'agent')
          .compile({ checkpointer: down.saver })
          .invoke(input, configFor(threadId, runId, 2))
          .then(() => null, (error: unknown) => error);
        expect(failed).toBeInstanceOf(CheckpointStoreUnavailableError);
        expect(isCheckpointStoreOutage(failed)).toBe(true);
        expect((failed as Error).message).toContain(`run ${runId}: attempt 2 could not reach the database`);
      } finally {
        await down.restore();
      }
      // A write without a fence (a state update by a client) keeps the database's own error.
      const unfenced = savingToADatabaseThatIsDown();
      try {
        await expect(unfenced.saver.getTuple({ configurable: { thread_id: threadId } }).then(() => 'answered', (error: unknown) => error))
          .resolves.not.toBeInstanceOf(CheckpointStoreUnavailableError);
      } finally {
        await unfenced.restore();
      }
    });

    it('writes unfenced checkpoints (state updates, tests) as before', async () => {
      const thread = makeThread();
      const result = await graph().invoke(input, { configurable: { thread_id: thread.thread_id } });
      expect(result.messages).toHaveLength(2);
    });
  });
});
