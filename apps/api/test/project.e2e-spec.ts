import { Client } from '@langchain/langgraph-sdk';
import { ensureProjectInstalled, type RunningServer, startApiServer, waitFor } from '@runhook/testing';
import { join } from 'node:path';
import { logLines } from './support/log-lines';

// A LangGraph.js project as users write them, with its own node_modules (its own @langchain/langgraph and
// @langchain/core copies), its own langgraph.json, and graphs in .mts, .ts, .js and .mjs.
const PROJECT = join(__dirname, 'fixtures', 'project');
const START_TIMEOUT_MS = 120_000;

// The server logs JSON lines (its stdout is a pipe here): compare their messages.
const plain = (log: string) => logLines(log).map((line) => `${line.level} [${line.context ?? ''}] ${line.msg}`).join('\n');
const occurrences = (text: string, needle: string) => text.split(needle).length - 1;
const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

beforeAll(() => ensureProjectInstalled(PROJECT), 300_000);

describe('a LangGraph.js project with its own node_modules', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: join(PROJECT, 'langgraph.json'), startTimeoutMs: START_TIMEOUT_MS });
    client = new Client({ apiUrl: server.url });
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('runs a graph exported as a Promise (.mts), and keeps its state in the server checkpointer', async () => {
    const thread = await client.threads.create();
    const first = (await client.runs.wait(thread.thread_id, 'promise_graph', { input: HUMAN('hi') })) as { count: number };
    expect(first).toMatchObject({ count: 1 });
    // The graph comes from the project's copy of @langchain/langgraph; the checkpointer is Runhook's.
    const second = (await client.runs.wait(thread.thread_id, 'promise_graph', { input: HUMAN('again') })) as {
      count: number;
      messages: { content: string }[];
    };
    expect(second.count).toBe(2);
    expect(second.messages.map((message) => message.content)).toEqual(['hi', 'reply 1', 'again', 'reply 2']);
    const state = await client.threads.getState(thread.thread_id);
    expect(state.values).toMatchObject({ count: 2 });
    expect((await client.threads.getHistory(thread.thread_id)).length).toBeGreaterThan(2);
  });

  it('runs a compiled Zod graph (.ts, CommonJS), an uncompiled StateGraph (.js) and an async factory (.mjs)', async () => {
    await expect(client.runs.wait(null, 'zod_graph', { input: { messages: 'hello' } })).resolves.toMatchObject({
      messages: ['hello', 'message 1'],
      count: 1,
      status: 'done',
    });
    const echoed = (await client.runs.wait(null, 'annotation_graph', { input: HUMAN('ping') })) as { messages: { content: string }[] };
    expect(echoed.messages.map((message) => message.content)).toEqual(['ping', 'echo: ping']);
    // The factory is called with the run's config, which starts from the system assistant's LANGGRAPH_CONFIG.
    await expect(client.runs.wait(null, 'runtime_graph', { input: {} })).resolves.toEqual({
      model: 'fixture-context',
      factoryModel: 'factory-model',
    });
  });

  it('routes getLogger() to the server log under the graph id, from import time and from a node', async () => {
    await expect(client.runs.wait(null, 'logging_graph', { input: {} })).resolves.toMatchObject({ model: 'fixture-model' });
    // Log lines are written in batches, up to 50 ms after the run's answer.
    await waitFor(() => {
      const log = plain(server.output());
      expect(log).toMatch(/\[graph:logging_graph\] fixture logging graph imported \{ phase: 'import' \}/);
      expect(log).toMatch(/warn \[graph:logging_graph\] fixture node ran with model fixture-model/);
      return true;
    });
  });

  it('applies langgraph.json env before graphs load, LANGGRAPH_CONFIG from it included', async () => {
    await expect(client.runs.wait(null, 'logging_graph', { input: {} })).resolves.toMatchObject({ greeting: 'hello from langgraph.json' });
    const [logging] = await client.assistants.search({ graphId: 'logging_graph', metadata: { created_by: 'system' } });
    expect(logging).toMatchObject({ config: { configurable: { model_name: 'fixture-model' } }, context: {} });
    const [runtime] = await client.assistants.search({ graphId: 'runtime_graph', metadata: { created_by: 'system' } });
    expect(runtime).toMatchObject({ config: { configurable: { model_name: 'factory-model' } }, context: { model: 'fixture-context' } });
    const [plainGraph] = await client.assistants.search({ graphId: 'zod_graph', metadata: { created_by: 'system' } });
    expect(plainGraph).toMatchObject({ config: {}, context: {} });
  });

  it('warns once about each key it does not use, and accepts http and store', async () => {
    // The warnings come at start, in one batch of log lines: once one is out, all are.
    const log = await waitFor(() => {
      const text = plain(server.output());
      return text.includes('langgraph.json: "node_version" is not used by Runhook') && text;
    });
    expect(occurrences(log, 'langgraph.json: "node_version" is not used by Runhook')).toBe(1);
    expect(occurrences(log, 'langgraph.json: "dependencies" is not used by Runhook')).toBe(1);
    expect(log).not.toMatch(/"(http|store|env|graphs)" is not used/);
  });

  it('describes StateSchema, Zod registry and Annotation states, with langgraph_type on message channels', async () => {
    const stateSchema = await client.assistants.getSchemas('promise_graph');
    expect(stateSchema.state_schema).toMatchObject({
      type: 'object',
      properties: { messages: { langgraph_type: 'messages' }, count: { type: 'number' } },
    });
    expect(stateSchema.input_schema).toMatchObject({ properties: { messages: { langgraph_type: 'messages' } } });

    const zod = await client.assistants.getSchemas('zod_graph');
    expect(zod.state_schema).toMatchObject({
      type: 'object',
      properties: { messages: { langgraph_type: 'messages' }, count: { type: 'number' }, status: { enum: ['idle', 'done'] } },
    });
    expect(zod.output_schema).toMatchObject({ properties: { status: { enum: ['idle', 'done'] } } });
    expect(zod.config_schema).toMatchObject({ type: 'object', properties: { tone: { type: 'string' } } });
    expect(zod.context_schema).toEqual(zod.config_schema);

    // An Annotation state has no runtime schema: its first schema request reads the module's (JS) types.
    const annotation = await client.assistants.getSchemas('annotation_graph');
    expect(annotation.state_schema).toMatchObject({ properties: { messages: { type: 'array', langgraph_type: 'messages' } } });
  }, 240_000);

  it('lists subgraphs as {namespace: {state, input, output, config}}', async () => {
    const subgraphs = await client.assistants.getSubgraphs('promise_graph');
    expect(Object.keys(subgraphs)).toEqual(['inner']);
    expect(subgraphs['inner']).toMatchObject({
      state: { type: 'object', properties: { messages: { langgraph_type: 'messages' }, note: { type: 'string' } } },
    });
    await expect(client.assistants.getSubgraphs('zod_graph')).resolves.toEqual({});
  });

  it(
    'reads the schemas of a graph typed with plain TypeScript from its types, subgraphs included',
    async () => {
      const schemas = await client.assistants.getSchemas('typed_graph');
      expect(schemas.state_schema).toMatchObject({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: {
          phase: { type: 'string', enum: ['draft', 'final'] },
          messages: {
            type: 'array',
            items: { $ref: '#/definitions/BaseMessage<MessageStructure<MessageToolSet>,MessageType>' },
            langgraph_type: 'messages',
          },
        },
      });
      expect(schemas.config_schema).toMatchObject({ type: 'object', properties: { tone: { type: 'string', enum: ['casual', 'formal'] } } });
      expect(schemas.context_schema).toEqual(schemas.config_schema);

      const subgraphs = await client.assistants.getSubgraphs('typed_graph');
      expect(Object.keys(subgraphs)).toEqual(['review']);
      expect(subgraphs['review']).toMatchObject({
        state: { type: 'object', properties: { verdict: { type: 'string', enum: ['approve', 'reject'] }, notes: { type: 'array', items: { type: 'string' } } } },
      });
    },
    // The first schema request compiles the graph's types in a worker thread: seconds, a minute on a busy machine.
    240_000,
  );
});

describe('langgraph.json variants', () => {
  it('reads env from a .env file named by langgraph.json', async () => {
    const server = await startApiServer({ langgraphConfig: join(PROJECT, 'langgraph.envfile.json'), startTimeoutMs: START_TIMEOUT_MS });
    try {
      const client = new Client({ apiUrl: server.url });
      await expect(client.runs.wait(null, 'logging_graph', { input: {} })).resolves.toMatchObject({ greeting: 'hello from fixture.env' });
    } finally {
      await server.stop();
    }
  }, START_TIMEOUT_MS + 30_000);

  it('refuses to start when a graph fails to load, naming the graph, its file and the error', async () => {
    const started = startApiServer({ langgraphConfig: join(PROJECT, 'langgraph.broken.json'), startTimeoutMs: START_TIMEOUT_MS });
    await expect(started).rejects.toThrow(
      /graph "broken" \(.*graphs\/broken\.mts:graph\) failed to load: fixture graph is broken on purpose/,
    );
  }, START_TIMEOUT_MS + 30_000);

  it('refuses an old-style LANGGRAPH_CONFIG path, saying to rename it', async () => {
    const started = startApiServer({ env: { LANGGRAPH_CONFIG: join(PROJECT, 'langgraph.json') } });
    await expect(started).rejects.toThrow(/rename the variable to RUNHOOK_CONFIG/);
  });
});
