import { join } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer } from '@runhook/testing';

const FIXTURE = join(__dirname, 'fixtures/dynamic/langgraph.json');

interface Trail {
  trail: string[];
}

describe('factory graphs on the thread state endpoints', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: FIXTURE });
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function threadRunOn(nodeName: string): Promise<string> {
    const assistant = await client.assistants.create({ graphId: 'dynamic', config: { configurable: { nodeName } } });
    const thread = await client.threads.create({ graphId: 'dynamic' });
    await client.runs.wait(thread.thread_id, assistant.assistant_id, { input: { trail: ['input'] } });
    return thread.thread_id;
  }

  it('rebuilds the graph with the config of the thread run, so update_state as one of its nodes applies', async () => {
    const threadId = await threadRunOn('assistant');

    await client.threads.updateState(threadId, { values: { trail: 'update' }, asNode: 'assistant' });

    const state = await client.threads.getState<Trail>(threadId);
    expect(state.values.trail).toEqual(['input', 'assistant', 'update']);
    const history = await client.threads.getHistory<Trail>(threadId);
    expect(history[0]?.values.trail).toEqual(['input', 'assistant', 'update']);
    expect(history.length).toBeGreaterThan(2);
  });

  it('answers 422 naming the node when the update names a node the graph does not have', async () => {
    const threadId = await threadRunOn('assistant');

    const response = await fetch(`${server.url}/threads/${threadId}/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ values: { trail: 'x' }, as_node: 'no-such-node' }),
    });

    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: string }).detail).toContain('no-such-node');
  });

  it('answers 422, not 500, for a node name every object inherits (found by the fuzz suite)', async () => {
    const threadId = await threadRunOn('assistant');

    for (const asNode of ['constructor', 'toString', '__proto__']) {
      const response = await fetch(`${server.url}/threads/${threadId}/state`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ values: { trail: 'x' }, as_node: asNode }),
      });
      expect({ asNode, status: response.status }).toEqual({ asNode, status: 422 });
      expect(((await response.json()) as { detail: string }).detail).toContain(asNode);
    }
    const created = await fetch(`${server.url}/threads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ graph_id: 'dynamic', supersteps: [{ updates: [{ values: { trail: 'x' }, as_node: 'constructor' }] }] }),
    });
    expect(created.status).toBe(422);
  });
});
