import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { type BaseCheckpointSaver, MessagesAnnotation, StateGraph } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { randomUUID } from 'node:crypto';
import { currentSchema } from './postgres/pg-migrate';
import { describeEachStore, type StoreFixture } from './testing/store-fixture';

function echoGraph(saver: BaseCheckpointSaver) {
  const lastText = (messages: BaseMessage[]) => String(messages.at(-1)?.content ?? '');
  return new StateGraph(MessagesAnnotation)
    .addNode('agent', (state: typeof MessagesAnnotation.State) => ({ messages: [new AIMessage(`echo: ${lastText(state.messages)}`)] }))
    .addEdge('__start__', 'agent')
    .compile({ checkpointer: saver });
}

/** The stock saver of the same package, on the same connection or pool, with its own serializer. */
async function officialSaverOf(store: StoreFixture): Promise<BaseCheckpointSaver> {
  if (store.sqlite) return new SqliteSaver(store.sqlite);
  if (!store.postgres) throw new Error('a store fixture has a SQLite connection or a PostgreSQL pool');
  const pool = store.postgres.pool;
  return new PostgresSaver(pool, undefined, { schema: await currentSchema(pool) });
}

type Graph = ReturnType<typeof echoGraph>;
const config = (threadId: string, checkpointId?: string) => ({ configurable: { thread_id: threadId, ...(checkpointId ? { checkpoint_id: checkpointId } : {}) } });
const say = (graph: Graph, threadId: string, text: string) => graph.invoke({ messages: [{ role: 'human', content: text }] }, config(threadId));
const contents = (values: unknown) => (values as typeof MessagesAnnotation.State).messages.map((m) => `${m.getType()}:${String(m.content)}`);

async function historyOf(graph: Graph, threadId: string) {
  const out: { id: string; metadata: unknown; messages: string[] }[] = [];
  for await (const snapshot of graph.getStateHistory(config(threadId))) {
    out.push({ id: String(snapshot.config.configurable?.['checkpoint_id']), metadata: snapshot.metadata, messages: contents(snapshot.values) });
  }
  return out;
}

/**
 * Runhook's savers keep the official packages' tables and bytes: a database the stock saver wrote is read
 * and continued by Runhook's, and what Runhook's writes the stock saver reads back (an upgrade and a
 * downgrade). The thread is long enough (24 messages) for the serializer's reuse to take part.
 */
jest.setTimeout(60_000);

describeEachStore((name, factory) => {
  describe(`checkpoints written by the official saver and by Runhook's on ${name}`, () => {
    let store: StoreFixture;
    let official: Graph;
    let ours: Graph;
    beforeAll(async () => {
      store = await factory();
      official = echoGraph(await officialSaverOf(store));
      ours = echoGraph(store.saver);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('reads state and history the official saver wrote, and continues the thread', async () => {
      const threadId = randomUUID();
      for (let turn = 0; turn < 12; turn += 1) await say(official, threadId, `turn ${turn}`);
      const state = await ours.getState(config(threadId));
      expect(contents(state.values)).toEqual(contents((await official.getState(config(threadId))).values));
      expect((state.values as typeof MessagesAnnotation.State).messages[1]).toBeInstanceOf(AIMessage);
      expect(await historyOf(ours, threadId)).toEqual(await historyOf(official, threadId));

      const reply = await say(ours, threadId, 'turn 12');
      expect(contents(reply).slice(-3)).toEqual(['ai:echo: turn 11', 'human:turn 12', 'ai:echo: turn 12']);
      expect(contents((await official.getState(config(threadId))).values)).toEqual(contents(reply));
    });

    it('writes state, history and forks that the official saver reads back unchanged', async () => {
      const threadId = randomUUID();
      for (let turn = 0; turn < 12; turn += 1) await say(ours, threadId, `turn ${turn}`);
      const history = await historyOf(ours, threadId);
      expect(history[0].messages).toHaveLength(24);
      expect(await historyOf(official, threadId)).toEqual(history);

      // A fork from the state after turn 5: a new branch whose parent is that checkpoint.
      const afterTurn5 = history.find((h) => h.messages.length === 12 && h.messages.at(-1) === 'ai:echo: turn 5');
      if (!afterTurn5) throw new Error('no checkpoint after turn 5 in the history');
      const forked = await ours.updateState(config(threadId, afterTurn5.id), { messages: [new AIMessage('forked')] });
      const fork = await official.getState(forked);
      expect(contents(fork.values)).toEqual(contents((await ours.getState(forked)).values));
      expect(fork.parentConfig?.configurable?.['checkpoint_id']).toBe(afterTurn5.id);
      // On PostgreSQL the fork's channel versions repeat those of the original line and the official saver's
      // blobs (ON CONFLICT DO NOTHING) keep the original values: the stock saver reads the same, as asserted
      // above; Runhook's writes change nothing there. SQLite stores whole checkpoints and keeps the fork.
      if (name !== 'SQLite') return;
      expect(contents(fork.values)).toEqual([...afterTurn5.messages, 'ai:forked']);
      const continued = await ours.invoke({ messages: [{ role: 'human', content: 'after fork' }] }, forked);
      expect(contents((await official.getState(config(threadId))).values)).toEqual(contents(continued));
    });
  });
});
