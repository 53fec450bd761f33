import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer, waitFor } from '@runhook/testing';

const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });
const AGENT_ASSISTANT_ID = 'fe096781-5601-53d2-b2f6-0d3403f7e9ca';

interface Message {
  type: string;
  content: string;
}

async function statusOf(error: unknown): Promise<number | undefined> {
  return (error as { status?: number }).status;
}

async function expectStatus(promise: Promise<unknown>, status: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeDefined();
  expect(await statusOf(error)).toBe(status);
}

describe('LangGraph SDK compatibility (the reference §12 calls and their next tier)', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startApiServer();
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe('assistants', () => {
    it('1. finds the system assistant of the demo graph by graph id, with the uuid5 id', async () => {
      const found = await client.assistants.search({ graphId: 'agent', limit: 10 });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ assistant_id: AGENT_ASSISTANT_ID, graph_id: 'agent', metadata: { created_by: 'system' } });
    });

    it('2. gets an assistant, by uuid or by graph id; an unknown uuid is a 404', async () => {
      await expect(client.assistants.get(AGENT_ASSISTANT_ID)).resolves.toMatchObject({ graph_id: 'agent', version: 1 });
      await expect(client.assistants.get('agent')).resolves.toMatchObject({ assistant_id: AGENT_ASSISTANT_ID });
      await expectStatus(client.assistants.get('00000000-0000-4000-8000-000000000000'), 404);
      await expectStatus(client.assistants.get('not-a-graph'), 422);
    });

    it('3. creates an assistant; do_nothing returns the existing one, raise is a 409', async () => {
      const assistantId = '6a1e1b8e-1d2c-4e55-9f1a-2b9e8e4b7c01';
      const created = await client.assistants.create({ graphId: 'agent', assistantId, ifExists: 'do_nothing', name: 'mine', metadata: { team: 'a' } });
      expect(created).toMatchObject({ assistant_id: assistantId, name: 'mine', version: 1 });
      await expect(client.assistants.create({ graphId: 'agent', assistantId, ifExists: 'do_nothing' })).resolves.toMatchObject({ name: 'mine' });
      await expectStatus(client.assistants.create({ graphId: 'agent', assistantId, ifExists: 'raise' }), 409);
      await expectStatus(client.assistants.create({ graphId: 'no-such-graph' }), 404);
    });

    it('versions, set-latest, count, graph and schemas', async () => {
      const assistant = await client.assistants.create({ graphId: 'agent', name: 'v1', metadata: { a: 1 } });
      const updated = await client.assistants.update(assistant.assistant_id, { name: 'v2', metadata: { b: 2 } });
      expect(updated).toMatchObject({ version: 2, name: 'v2', metadata: { a: 1, b: 2 } });
      const versions = await client.assistants.getVersions(assistant.assistant_id);
      expect(versions.map((v) => v.version)).toEqual([2, 1]);
      await expect(client.assistants.setLatest(assistant.assistant_id, 1)).resolves.toMatchObject({ version: 1, name: 'v1' });
      await expectStatus(client.assistants.setLatest(assistant.assistant_id, 9), 404);
      await expect(client.assistants.count({ graphId: 'agent' })).resolves.toBeGreaterThanOrEqual(3);
      const graph = await client.assistants.getGraph(assistant.assistant_id);
      expect(graph.nodes.map((node) => node.id)).toEqual(expect.arrayContaining(['__start__', 'agent']));
      const schemas = await client.assistants.getSchemas(assistant.assistant_id);
      expect(schemas.graph_id).toBe('agent');
      expect(schemas.state_schema).toMatchObject({ properties: { messages: {} } });
      await client.assistants.delete(assistant.assistant_id);
      await expectStatus(client.assistants.get(assistant.assistant_id), 404);
    });
  });

  describe('threads', () => {
    it('4. creates a thread idle with null values; a duplicate id is a 409, do_nothing returns it', async () => {
      const threadId = '0b3f6a52-52c4-4a8e-9a3e-5c0d1e2f3a4b';
      const thread = await client.threads.create({ threadId, metadata: { user: 'ann' } });
      expect(thread).toMatchObject({ thread_id: threadId, status: 'idle', values: null, metadata: { user: 'ann' } });
      await expectStatus(client.threads.create({ threadId }), 409);
      await expect(client.threads.create({ threadId, ifExists: 'do_nothing' })).resolves.toMatchObject({ thread_id: threadId });
    });

    it('answers as the reference does, without ETags (Express would hash every JSON body to make one)', async () => {
      const created = await fetch(`${server.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(created.status).toBe(200);
      expect(created.headers.get('etag')).toBeNull();
      const { thread_id: threadId } = (await created.json()) as { thread_id: string };
      const read = await fetch(`${server.url}/threads/${threadId}`);
      expect(read.status).toBe(200);
      expect(read.headers.get('etag')).toBeNull();
      await expect(read.json()).resolves.toMatchObject({ thread_id: threadId });
    });

    it('5. gets a thread; bad ids are 422, unknown ones 404', async () => {
      const thread = await client.threads.create();
      await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ thread_id: thread.thread_id });
      await expectStatus(client.threads.get('00000000-0000-4000-8000-00000000abcd'), 404);
      await expectStatus(client.threads.get('nope'), 422);
    });

    it('6. searches by metadata and status, newest first, with pagination headers', async () => {
      const tag = `search-${Date.now()}`;
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await client.threads.create({ metadata: { tag, i } }));
      const found = await client.threads.search({ metadata: { tag }, limit: 2 });
      expect(found.map((t) => t.thread_id)).toEqual([made[2].thread_id, made[1].thread_id]);
      const rest = await client.threads.search({ metadata: { tag }, limit: 2, offset: 2 });
      expect(rest.map((t) => t.thread_id)).toEqual([made[0].thread_id]);
      await expect(client.threads.search({ metadata: { tag }, status: 'busy' })).resolves.toEqual([]);
      await expect(client.threads.count({ metadata: { tag } })).resolves.toBe(3);
      const response = await fetch(`${server.url}/threads/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { tag }, limit: 1 }),
      });
      expect(response.headers.get('x-pagination-total')).toBe('3');
      expect(response.headers.get('x-pagination-next')).toBe('1');
    });

    it('patches metadata by merging, copies and deletes threads', async () => {
      const thread = await client.threads.create({ metadata: { a: 1 } });
      await expect(client.threads.update(thread.thread_id, { metadata: { b: 2 } })).resolves.toMatchObject({ metadata: { a: 1, b: 2 } });
      await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('copy me') });
      const copy = await client.threads.copy(thread.thread_id);
      expect(copy.thread_id).not.toBe(thread.thread_id);
      const copiedState = await client.threads.getState<{ messages: Message[] }>(copy.thread_id);
      expect(copiedState.values.messages.map((m) => m.content)).toEqual(['copy me', 'echo: copy me']);
      await client.threads.delete(thread.thread_id);
      await expectStatus(client.threads.get(thread.thread_id), 404);
      await expectStatus(client.threads.delete(thread.thread_id), 404);
      await expectStatus(client.threads.copy(thread.thread_id), 409);
    });
  });

  describe('runs and state', () => {
    it('13 + 7 + 9. wait returns final values; state and history follow; a failure is __error__', async () => {
      const thread = await client.threads.create();
      const values = (await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('hello world') })) as { messages: Message[] };
      expect(values.messages.map((m) => [m.type, m.content])).toEqual([
        ['human', 'hello world'],
        ['ai', 'echo: hello world'],
      ]);
      const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
      expect(state.values.messages).toHaveLength(2);
      expect(state.next).toEqual([]);
      expect(state.checkpoint).toMatchObject({ thread_id: thread.thread_id, checkpoint_ns: '' });
      expect(state.checkpoint.checkpoint_id).toEqual(expect.any(String));
      expect(state.parent_checkpoint?.checkpoint_id).toEqual(expect.any(String));
      const history = await client.threads.getHistory(thread.thread_id, { limit: 10 });
      expect(history.length).toBeGreaterThanOrEqual(3);
      expect(history[0].checkpoint.checkpoint_id).toBe(state.checkpoint.checkpoint_id);
      await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'idle', metadata: { graph_id: 'agent' } });

      const failed = await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('fail'), raiseError: false });
      expect(failed).toEqual({ __error__: { error: 'Error', message: 'requested failure' } });
      await expect(client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('fail') })).rejects.toThrow(/requested failure/);
      await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'error' });
    });

    it('8. updates state as a node; 409 while a run is active; 400 on a thread never run', async () => {
      const thread = await client.threads.create();
      await expectStatus(client.threads.updateState(thread.thread_id, { values: { messages: [] } }), 400);
      await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('one') });
      const update = await client.threads.updateState(thread.thread_id, {
        values: { messages: [{ role: 'ai', content: 'added by hand' }] },
        asNode: 'agent',
      });
      const written = update as unknown as { checkpoint: { checkpoint_id: string }; configurable: { checkpoint_id: string } };
      expect(written.checkpoint.checkpoint_id).toEqual(expect.any(String));
      expect(written.configurable.checkpoint_id).toBe(written.checkpoint.checkpoint_id);
      const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
      expect(state.values.messages.map((m) => m.content)).toEqual(['one', 'echo: one', 'added by hand']);
      const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 1500') });
      await waitFor(async () => (await client.runs.get(thread.thread_id, run.run_id)).status === 'running');
      await expectStatus(client.threads.updateState(thread.thread_id, { values: { messages: [] } }), 409);
      await client.runs.cancel(thread.thread_id, run.run_id);
      await client.runs.join(thread.thread_id, run.run_id);
    });

    it('10. streams values, updates and message chunks; the first event is metadata', async () => {
      const thread = await client.threads.create();
      let created: { run_id: string; thread_id?: string } | undefined;
      const events: { event: string; data: unknown }[] = [];
      for await (const chunk of client.runs.stream(thread.thread_id, 'agent', {
        input: HUMAN('stream these words'),
        streamMode: ['values', 'updates', 'messages-tuple'],
        streamResumable: true,
        onRunCreated: (meta) => {
          created = meta;
        },
      })) {
        events.push(chunk as { event: string; data: unknown });
      }
      expect(created?.thread_id).toBe(thread.thread_id);
      expect(events[0]).toMatchObject({ event: 'metadata', data: { run_id: created?.run_id, attempt: 1 } });
      const names = new Set(events.map((e) => e.event));
      expect(names).toEqual(new Set(['metadata', 'values', 'updates', 'messages']));
      const tokens = events
        .filter((e) => e.event === 'messages')
        .map((e) => (e.data as [Message, Record<string, unknown>])[0].content);
      expect(tokens.join('')).toBe('echo: stream these words');
      expect(tokens.length).toBeGreaterThan(2);
      const last = events.filter((e) => e.event === 'values').pop()?.data as { messages: Message[] };
      expect(last.messages.at(-1)?.content).toBe('echo: stream these words');
      const run = await client.runs.get(thread.thread_id, created?.run_id as string);
      expect(run.status).toBe('success');
    });

    it('11. streams a stateless run on a temporary thread that is deleted afterwards', async () => {
      let created: { run_id: string; thread_id?: string } | undefined;
      const events: { event: string; data: unknown }[] = [];
      for await (const chunk of client.runs.stream(null, 'agent', {
        input: HUMAN('stateless'),
        onRunCreated: (meta) => {
          created = meta;
        },
      })) {
        events.push(chunk as { event: string; data: unknown });
      }
      expect(created?.run_id).toEqual(expect.any(String));
      expect(events.map((e) => e.event)).toEqual(['metadata', 'values', 'values']);
      const final = events.at(-1)?.data as { messages: Message[] };
      expect(final.messages.at(-1)?.content).toBe('echo: stateless');
      // The run stays readable; its temporary thread is gone.
      const run = (await (await fetch(`${server.url}/runs/${created?.run_id}`)).json()) as { status: string; thread_id: string };
      expect(run.status).toBe('success');
      await expectStatus(client.threads.get(run.thread_id), 404);
    });

    it('streams an error event when the graph fails, then ends', async () => {
      const events: { event: string; data: unknown }[] = [];
      for await (const chunk of client.runs.stream(null, 'agent', { input: HUMAN('fail') })) events.push(chunk as { event: string; data: unknown });
      expect(events.at(-1)).toEqual({ event: 'error', data: { error: 'Error', message: 'requested failure' } });
    });

    it('12. creates a background run with Content-Location; reject makes a second one a 409', async () => {
      const thread = await client.threads.create();
      const response = await fetch(`${server.url}/threads/${thread.thread_id}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: 'agent', input: HUMAN('sleep 800'), multitask_strategy: 'reject' }),
      });
      expect(response.status).toBe(200);
      const run = (await response.json()) as { run_id: string; status: string; kwargs: Record<string, unknown> };
      expect(response.headers.get('content-location')).toBe(`/threads/${thread.thread_id}/runs/${run.run_id}`);
      expect(run.status).toBe('pending');
      expect(run.kwargs).toMatchObject({ input: HUMAN('sleep 800'), stream_mode: ['values'], temporary: false });
      await expectStatus(client.runs.create(thread.thread_id, 'agent', { input: HUMAN('again'), multitaskStrategy: 'reject' }), 409);
      await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'busy' });
      await client.runs.join(thread.thread_id, run.run_id);
      await expect(client.runs.get(thread.thread_id, run.run_id)).resolves.toMatchObject({ status: 'success' });
      await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'idle' });
    });

    it('enqueues by default and runs a thread\'s runs one after another', async () => {
      const thread = await client.threads.create();
      const first = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 300') });
      const second = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('after') });
      expect(second.multitask_strategy).toBe('enqueue');
      await client.runs.join(thread.thread_id, second.run_id);
      const runs = await client.runs.list(thread.thread_id);
      expect(runs.map((r) => [r.run_id, r.status])).toEqual([
        [second.run_id, 'success'],
        [first.run_id, 'success'],
      ]);
      const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
      expect(state.values.messages.map((m) => m.content)).toEqual(['sleep 300', 'slept 300', 'after', 'echo: after']);
    });

    it('interrupt and rollback strategies stop the run in flight', async () => {
      const thread = await client.threads.create();
      const first = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 5000') });
      await waitFor(async () => (await client.runs.get(thread.thread_id, first.run_id)).status === 'running');
      const second = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('now'), multitaskStrategy: 'interrupt' });
      await client.runs.join(thread.thread_id, second.run_id);
      await expect(client.runs.get(thread.thread_id, first.run_id)).resolves.toMatchObject({ status: 'interrupted' });

      const third = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 5000') });
      await waitFor(async () => (await client.runs.get(thread.thread_id, third.run_id)).status === 'running');
      const fourth = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('later'), multitaskStrategy: 'rollback' });
      await client.runs.join(thread.thread_id, fourth.run_id);
      await expectStatus(client.runs.get(thread.thread_id, third.run_id), 404);
      const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
      // The interrupted run's input stays (interrupt keeps checkpoints); the rolled-back one's is gone.
      expect(state.values.messages.map((m) => m.content)).toEqual(['sleep 5000', 'now', 'echo: now', 'later', 'echo: later']);
    });

    it('14. joins a resumable stream from the start with Last-Event-ID -1 and replays everything', async () => {
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, 'agent', {
        input: HUMAN('replay me'),
        streamMode: ['values', 'messages-tuple'],
        streamResumable: true,
      });
      await client.runs.join(thread.thread_id, run.run_id);
      const replayed: { event: string; data: unknown; id?: string }[] = [];
      for await (const chunk of client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: '-1' })) {
        replayed.push(chunk as { event: string; data: unknown; id?: string });
      }
      expect(replayed[0]).toMatchObject({ event: 'metadata', data: { run_id: run.run_id } });
      expect(replayed.filter((e) => e.event === 'messages').length).toBeGreaterThan(1);
      const fromMiddle: { event: string }[] = [];
      for await (const chunk of client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: '2' })) fromMiddle.push(chunk);
      expect(fromMiddle).toHaveLength(replayed.length - 3);
    });

    it('15. cancels a running run (202); get, list and join agree it was interrupted', async () => {
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 10000') });
      await waitFor(async () => (await client.runs.get(thread.thread_id, run.run_id)).status === 'running');
      const started = Date.now();
      const response = await fetch(`${server.url}/threads/${thread.thread_id}/runs/${run.run_id}/cancel?wait=0&action=interrupt`, { method: 'POST' });
      expect(response.status).toBe(202);
      await client.runs.join(thread.thread_id, run.run_id);
      expect(Date.now() - started).toBeLessThan(3000);
      await expect(client.runs.get(thread.thread_id, run.run_id)).resolves.toMatchObject({ status: 'interrupted' });
      const listed = await client.runs.list(thread.thread_id);
      expect(listed[0]).toMatchObject({ run_id: run.run_id, status: 'interrupted' });
      await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'idle' });
      await expectStatus(client.runs.cancel(thread.thread_id, '00000000-0000-4000-8000-000000000001'), 404);
    });

    it('resumes an interrupted graph with a command', async () => {
      const thread = await client.threads.create();
      const interrupted = (await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('interrupt') })) as Record<string, unknown>;
      expect(interrupted['__interrupt__']).toEqual([expect.objectContaining({ value: { question: 'approve?' } })]);
      await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'interrupted' });
      const state = await client.threads.getState(thread.thread_id);
      expect(state.next).toEqual(['agent']);
      expect(state.tasks[0].interrupts[0].value).toEqual({ question: 'approve?' });
      const resumed = (await client.runs.wait(thread.thread_id, 'agent', { command: { resume: { ok: true } } })) as { messages: Message[] };
      expect(resumed.messages.at(-1)?.content).toBe('resumed: {"ok":true}');
      await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'idle' });
      await expectStatus(client.runs.wait(null, 'agent', { command: { resume: 'x' } }), 400);
    });

    it('creates the thread with if_not_exists, delays runs with after_seconds, deletes runs', async () => {
      const threadId = 'd2b1c0a9-8f7e-4d6c-9b5a-4a3b2c1d0e0f';
      await expectStatus(client.runs.create(threadId, 'agent', { input: HUMAN('x') }), 404);
      const run = await client.runs.create(threadId, 'agent', { input: HUMAN('late'), ifNotExists: 'create', afterSeconds: 1 });
      const before = await client.runs.get(threadId, run.run_id);
      expect(before.status).toBe('pending');
      await client.runs.join(threadId, run.run_id);
      const after = await client.runs.get(threadId, run.run_id);
      expect(after.status).toBe('success');
      expect(Date.parse(after.created_at) - Date.parse(before.updated_at)).toBeGreaterThanOrEqual(900);
      await client.runs.delete(threadId, run.run_id);
      await expectStatus(client.runs.get(threadId, run.run_id), 404);
    });

    it('batch-creates stateless runs and cancels many', async () => {
      const runs = await client.runs.createBatch([
        { assistantId: 'agent', input: HUMAN('sleep 5000') },
        { assistantId: 'agent', input: HUMAN('sleep 5000') },
      ]);
      expect(runs).toHaveLength(2);
      await client.runs.cancelMany({ runIds: runs.map((r) => r.run_id) });
      const statuses = await Promise.all(
        runs.map((r) => waitFor(async () => {
          const run = (await (await fetch(`${server.url}/runs/${r.run_id}`)).json()) as { status: string };
          return run.status === 'interrupted' ? run.status : undefined;
        })),
      );
      expect(statuses).toEqual(['interrupted', 'interrupted']);
    });
  });

  describe('errors', () => {
    it('answers 422 naming the field for invalid bodies, 4xx for malformed JSON, and ignores unknown fields', async () => {
      const post = (path: string, body: string) =>
        fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const invalid = await post('/runs/wait', JSON.stringify({ assistant_id: 'agent', stream_mode: 'nope' }));
      expect(invalid.status).toBe(422);
      expect(((await invalid.json()) as { detail: string }).detail).toMatch(/stream_mode/);
      const missing = await post('/runs', JSON.stringify({ input: {} }));
      expect(missing.status).toBe(422);
      expect(((await missing.json()) as { detail: string }).detail).toMatch(/assistant_id/);
      const malformed = await post('/threads', '{"metadata": ');
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({ detail: expect.stringMatching(/JSON/) });
      const notArray = await post('/runs/batch', JSON.stringify({ assistant_id: 'agent' }));
      expect(notArray.status).toBe(422);
      expect(await notArray.json()).toEqual({ detail: 'body must be a JSON array' });
      const badItem = await post('/runs/batch', JSON.stringify([{ assistant_id: 'agent', stream_mode: 'nope' }]));
      expect(badItem.status).toBe(422);
      expect(((await badItem.json()) as { detail: string }).detail).toMatch(/^stream_mode/);
      const unknown = await post('/threads', JSON.stringify({ metadata: { x: 1 }, surprise: true }));
      expect(unknown.status).toBe(200);
      const notFound = await fetch(`${server.url}/threads/00000000-0000-4000-8000-000000000000/runs`);
      expect(notFound.status).toBe(404);
    });

    it('serves /ok, /info, /openapi.json and /docs', async () => {
      await expect((await fetch(`${server.url}/ok`)).json()).resolves.toEqual({ ok: true });
      const info = (await (await fetch(`${server.url}/info`)).json()) as { version: string; flags: Record<string, boolean> };
      expect(info.flags['assistants']).toBe(true);
      const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/threads', '/threads/{threadId}/runs/stream']));
      expect((await fetch(`${server.url}/docs`)).status).toBe(200);
    });
  });
});
