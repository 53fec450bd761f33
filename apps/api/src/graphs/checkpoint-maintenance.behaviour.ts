import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { randomUUID } from 'node:crypto';
import type { StoreFactory, StoreFixture } from '../persistence/testing/store-fixture';

const State = Annotation.Root({
  log: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
  last: Annotation<string>(),
});

function buildGraph(store: StoreFixture) {
  return new StateGraph(State)
    .addNode('echo', (state: typeof State.State) => ({ log: [`echo: ${state.last}`] }))
    .addEdge(START, 'echo')
    .addEdge('echo', END)
    .compile({ checkpointer: store.saver });
}

/** Copy and rollback of LangGraph checkpoints on the official saver's tables, whatever the database. */
export function describeCheckpointMaintenance(name: string, factory: StoreFactory): void {
  describe(`CheckpointMaintenance on ${name}`, () => {
    let store: StoreFixture;
    let graph: ReturnType<typeof buildGraph>;
    beforeAll(async () => {
      store = await factory();
      graph = buildGraph(store);
    });
    afterAll(async () => {
      await store?.close();
    });

    const config = (threadId: string) => ({ configurable: { thread_id: threadId } });
    const say = (threadId: string, text: string) => graph.invoke({ log: [text], last: text }, config(threadId));
    const values = async (threadId: string) => (await graph.getState(config(threadId))).values as Partial<typeof State.State>;
    const history = async (threadId: string) => {
      const ids: string[] = [];
      for await (const snapshot of graph.getStateHistory(config(threadId))) ids.push(String(snapshot.config.configurable?.['checkpoint_id']));
      return ids;
    };

    it('copies a thread’s whole history; the copy then lives its own life', async () => {
      const [from, to] = [randomUUID(), randomUUID()];
      await say(from, 'one');
      await say(from, 'two');
      await store.checkpoints.copyThread(from, to);
      expect(await values(to)).toEqual(await values(from));
      expect(await history(to)).toEqual(await history(from));
      await say(to, 'three');
      expect((await values(to)).log).toEqual(['one', 'echo: one', 'two', 'echo: two', 'three', 'echo: three']);
      expect((await values(from)).log).toEqual(['one', 'echo: one', 'two', 'echo: two']);
    });

    it('rolls back what came after a checkpoint; a later run builds on the kept state', async () => {
      const threadId = randomUUID();
      await say(threadId, 'one');
      const kept = String((await graph.getState(config(threadId))).config.configurable?.['checkpoint_id']);
      await say(threadId, 'two');
      await store.checkpoints.deleteAfter(threadId, kept);
      expect((await values(threadId)).log).toEqual(['one', 'echo: one']);
      expect((await history(threadId))[0]).toBe(kept);
      // Channel versions repeat after a rollback: the new values must win over the discarded ones.
      await say(threadId, 'three');
      expect(await values(threadId)).toEqual({ log: ['one', 'echo: one', 'three', 'echo: three'], last: 'three' });
    });

    it('names the newest root checkpoint without loading it', async () => {
      const threadId = randomUUID();
      expect(await store.checkpoints.latestCheckpointId(threadId)).toBeNull();
      await say(threadId, 'one');
      await say(threadId, 'two');
      expect(await store.checkpoints.latestCheckpointId(threadId)).toBe((await history(threadId))[0]);
    });

    it('stores the run\'s configurable keys and metadata with each checkpoint, so history filters on them', async () => {
      const threadId = randomUUID();
      const runConfig = (runId: string, metadata: Record<string, unknown>) => ({
        configurable: { thread_id: threadId, run_id: runId, graph_id: 'echo', assistant_id: 'a1', user_id: 'u1', api_key: 'sk-1' },
        metadata,
      });
      await graph.invoke({ log: ['one'], last: 'one' }, runConfig('run-1', { origin: 'first' }));
      await graph.invoke({ log: ['two'], last: 'two' }, runConfig('run-2', { origin: 'second' }));
      const latest = await graph.getState(config(threadId));
      expect(latest.metadata).toMatchObject({ run_id: 'run-2', thread_id: threadId, graph_id: 'echo', assistant_id: 'a1', user_id: 'u1', origin: 'second', source: 'loop' });
      expect(latest.metadata).not.toHaveProperty('api_key');
      const firstRun: string[] = [];
      for await (const snapshot of graph.getStateHistory(config(threadId), { filter: { run_id: 'run-1' } })) firstRun.push(String((snapshot.metadata as Record<string, unknown> | undefined)?.['origin']));
      expect(firstRun).toEqual(['first', 'first', 'first']);
    });

    it('keeps only the newest checkpoint of a thread, its state intact, and runs go on from it', async () => {
      const threadId = randomUUID();
      await say(threadId, 'one');
      await say(threadId, 'two');
      const before = await values(threadId);
      const latest = (await history(threadId))[0];
      await store.checkpoints.keepLatest(threadId);
      expect(await history(threadId)).toEqual([latest]);
      expect(await values(threadId)).toEqual(before);
      expect(await store.checkpoints.latestCheckpointId(threadId)).toBe(latest);
      await say(threadId, 'three');
      expect((await values(threadId)).log).toEqual(['one', 'echo: one', 'two', 'echo: two', 'three', 'echo: three']);
    });

    it('rolls back everything when there is no checkpoint to keep, and deletes a thread', async () => {
      const threadId = randomUUID();
      await say(threadId, 'one');
      await store.checkpoints.deleteAfter(threadId, null);
      expect(await history(threadId)).toEqual([]);
      await say(threadId, 'again');
      expect((await values(threadId)).log).toEqual(['again', 'echo: again']);
      await store.checkpoints.deleteThread(threadId);
      expect(await history(threadId)).toEqual([]);
      expect(await store.saver.getTuple(config(threadId))).toBeUndefined();
    });
  });
}
