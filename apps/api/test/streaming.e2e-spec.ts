import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer } from '@runhook/testing';
import { join } from 'node:path';

const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

interface Chunk {
  event: string;
  data: unknown;
}

async function collect(stream: AsyncIterable<unknown>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk as Chunk);
  return chunks;
}

describe('stream modes, subgraphs, graph loading and run options', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startApiServer({
      langgraphConfig: join(__dirname, 'fixtures', 'langgraph.json'),
      env: { STREAM_HEARTBEAT_MS: '150' },
    });
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('namespaces subgraph events with stream_subgraphs and streams custom writes', async () => {
    const chunks = await collect(
      client.runs.stream(null, 'nested', { input: { steps: [] }, streamMode: ['updates', 'custom'], streamSubgraphs: true }),
    );
    const names = chunks.map((c) => c.event);
    expect(names).toContain('updates');
    expect(names.some((name) => /^updates\|child:[0-9a-f-]+$/.test(name))).toBe(true);
    expect(chunks.find((c) => c.event === 'custom')?.data).toEqual({ progress: 'almost done' });
    const flat = await collect(client.runs.stream(null, 'nested', { input: { steps: [] }, streamMode: ['updates'] }));
    expect(flat.every((c) => !c.event.includes('|'))).toBe(true);
  });

  it('streams debug, tasks and checkpoints modes', async () => {
    const chunks = await collect(client.runs.stream(null, 'nested', { input: { steps: [] }, streamMode: ['debug', 'tasks', 'checkpoints'] }));
    const names = new Set(chunks.map((c) => c.event));
    expect(names).toEqual(new Set(['metadata', 'debug', 'tasks', 'checkpoints']));
    expect(chunks.find((c) => c.event === 'debug')?.data).toMatchObject({ type: expect.any(String), step: expect.any(Number) });
    expect(chunks.find((c) => c.event === 'tasks')?.data).toMatchObject({ name: expect.any(String) });
  });

  it('streams LangChain events and the legacy messages mode (partial and complete)', async () => {
    const events = await collect(client.runs.stream(null, 'agent', { input: HUMAN('two words'), streamMode: ['events'] }));
    expect(events.some((c) => c.event === 'events' && (c.data as { event: string }).event === 'on_chat_model_stream')).toBe(true);
    const legacy = await collect(client.runs.stream(null, 'agent', { input: HUMAN('legacy mode'), streamMode: ['messages'] }));
    const names = legacy.map((c) => c.event);
    expect(names).toContain('messages/metadata');
    expect(names).toContain('messages/partial');
    expect(names).toContain('messages/complete');
    const partials = legacy.filter((c) => c.event === 'messages/partial').map((c) => (c.data as { content: string }[])[0].content);
    expect(partials.at(-1)).toBe('echo: legacy mode');
  });

  it('calls a graph factory with the run config', async () => {
    const values = (await client.runs.wait(null, 'configured', { input: { steps: [] }, config: { configurable: { label: 'from-config' } } })) as {
      steps: string[];
    };
    expect(values.steps).toEqual(['from-config']);
  });

  it('stops before a node with interrupt_before, then goes on with a null input', async () => {
    const thread = await client.threads.create();
    const paused = (await client.runs.wait(thread.thread_id, 'nested', { input: { steps: [] }, interruptBefore: ['last'] })) as { steps: string[] };
    expect(paused.steps).toEqual(['first', 'inner']);
    await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'interrupted' });
    expect((await client.threads.getState(thread.thread_id)).next).toEqual(['last']);
    const done = (await client.runs.wait(thread.thread_id, 'nested', { input: null })) as { steps: string[] };
    expect(done.steps).toEqual(['first', 'inner', 'last']);
  });

  it('replays from an earlier checkpoint with checkpoint_id and applies command goto/update', async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, 'nested', { input: { steps: [] } });
    const history = await client.threads.getHistory(thread.thread_id, { limit: 10 });
    const afterFirst = history.find((state) => state.next.includes('child'));
    expect(afterFirst).toBeDefined();
    const forked = (await client.runs.wait(thread.thread_id, 'nested', { input: null, checkpointId: afterFirst?.checkpoint.checkpoint_id ?? undefined })) as {
      steps: string[];
    };
    expect(forked.steps).toEqual(['first', 'inner', 'last']);
    const jumped = (await client.runs.wait(thread.thread_id, 'nested', { command: { goto: 'last', update: { steps: ['manual'] } } })) as {
      steps: string[];
    };
    // The update is written and the graph jumps straight to `last`, which runs once more.
    expect(jumped.steps).toContain('manual');
    expect(jumped.steps.filter((step) => step === 'last')).toHaveLength(2);
    expect(jumped.steps.at(-1)).toBe('last');
  });

  it('sends heartbeats while a run is quiet, and cancels on disconnect when asked', async () => {
    const thread = await client.threads.create();
    const controller = new AbortController();
    const response = await fetch(`${server.url}/threads/${thread.thread_id}/runs/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: 'agent', input: HUMAN('sleep 5000'), on_disconnect: 'cancel' }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const runPath = response.headers.get('content-location') as string;
    expect(response.headers.get('location')).toBe(`${runPath}/stream`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': heartbeat')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/^event: metadata\r\ndata: \{"run_id":"[0-9a-f-]+","attempt":1\}\r\nid: 0\r\n\r\n/);
    controller.abort();
    const runId = runPath.split('/').pop() as string;
    const output = await client.runs.join(thread.thread_id, runId);
    expect(output).toBeDefined();
    await expect(client.runs.get(thread.thread_id, runId)).resolves.toMatchObject({ status: 'interrupted' });
  });
});
