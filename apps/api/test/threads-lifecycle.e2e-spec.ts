import { Client } from '@langchain/langgraph-sdk';
import { join } from 'node:path';
import { type RunningServer, startApiServer, waitFor } from '@runhook/testing';

const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

interface SseEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/** Reads a whole SSE response into its events, keeping the `id:` lines the SDK hides from most calls. */
async function readSse(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.includes('event:'))
    .map((block) => {
      const field = (name: string) => block.split(/\r?\n/).find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      return { id: field('id'), event: field('event') ?? '', data: JSON.parse(field('data') ?? 'null') as unknown };
    });
}

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => 200,
    (error: unknown) => (error as { status?: number }).status,
  );
}

describe('threads, checkpoints and streams as the reference server has them', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: join(__dirname, 'fixtures', 'langgraph.json'), env: { THREAD_TTL_SWEEP_MS: '200' } });
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    await server?.stop();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  describe('checkpoint metadata', () => {
    it('stores the run ids, configurable keys and run metadata with each checkpoint; getHistory filters by them', async () => {
      const thread = await client.threads.create();
      const first = await client.runs.create(thread.thread_id, 'agent', {
        input: HUMAN('one'),
        metadata: { origin: 'first' },
        config: { configurable: { user_id: 'u-1', team: 'blue' } },
      });
      await client.runs.join(thread.thread_id, first.run_id);
      await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('two'), metadata: { origin: 'second' } });

      const all = await client.threads.getHistory(thread.thread_id, { limit: 100 });
      const fromFirst = await client.threads.getHistory(thread.thread_id, { limit: 100, metadata: { origin: 'first' } });
      expect(all).toHaveLength(6);
      expect(fromFirst).toHaveLength(3);
      for (const state of fromFirst) {
        expect(state.metadata).toMatchObject({
          run_id: first.run_id,
          thread_id: thread.thread_id,
          graph_id: 'agent',
          assistant_id: first.assistant_id,
          user_id: 'u-1',
          team: 'blue',
        });
      }
      const byRun = await client.threads.getHistory(thread.thread_id, { limit: 100, metadata: { run_id: first.run_id } });
      expect(byRun.map((state) => state.checkpoint.checkpoint_id)).toEqual(fromFirst.map((state) => state.checkpoint.checkpoint_id));
    });
  });

  describe('SSE framing', () => {
    it('numbers every event of a thread run stream from 0, metadata first, and a join resumes after Last-Event-ID', async () => {
      const thread = await client.threads.create();
      const response = await post(`/threads/${thread.thread_id}/runs/stream`, {
        assistant_id: 'agent',
        input: HUMAN('count these words please'),
        stream_mode: ['values', 'messages-tuple'],
        stream_resumable: true,
      });
      const events = await readSse(response);
      expect(events[0]).toMatchObject({ id: '0', event: 'metadata' });
      expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index)));

      const runId = (events[0].data as { run_id: string }).run_id;
      const joined = await readSse(await fetch(`${server.url}/threads/${thread.thread_id}/runs/${runId}/stream`, { headers: { 'Last-Event-ID': '2' } }));
      expect(joined.map((event) => event.id)).toEqual(events.slice(3).map((event) => event.id));
      expect(joined.map((event) => event.data)).toEqual(events.slice(3).map((event) => event.data));
    });

    it('numbers the events of a thread run that is not resumable too', async () => {
      const thread = await client.threads.create();
      const events = await readSse(await post(`/threads/${thread.thread_id}/runs/stream`, { assistant_id: 'agent', input: HUMAN('hi') }));
      expect(events.length).toBeGreaterThanOrEqual(2);
      expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index)));
    });

    it('debug checkpoint events carry checkpoint and parent_checkpoint', async () => {
      const thread = await client.threads.create();
      const checkpoints: Record<string, unknown>[] = [];
      for await (const chunk of client.runs.stream(thread.thread_id, 'agent', { input: HUMAN('dbg'), streamMode: 'debug' })) {
        const data = chunk.data as { type?: string; payload?: Record<string, unknown> };
        if (chunk.event === 'debug' && data.type === 'checkpoint' && data.payload) checkpoints.push(data.payload);
      }
      expect(checkpoints.length).toBeGreaterThanOrEqual(3);
      expect(checkpoints[0]).toMatchObject({ checkpoint: { thread_id: thread.thread_id, checkpoint_ns: '' }, parent_checkpoint: null });
      expect(checkpoints[1]['parent_checkpoint']).toEqual(checkpoints[0]['checkpoint']);
      expect(checkpoints[1]).toHaveProperty('parent_config');
      expect(checkpoints[1]).not.toHaveProperty('parentConfig');
    });
  });

  describe('state tasks', () => {
    it('carry path, result and, for a subgraph, its checkpoint', async () => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, 'nested', { input: { steps: [] } });
      const history = await client.threads.getHistory(thread.thread_id, { limit: 20 });
      const beforeChild = history.find((state) => state.next.includes('child'));
      expect(beforeChild?.tasks[0]).toMatchObject({
        name: 'child',
        path: ['__pregel_pull', 'child'],
        result: { steps: ['inner'] },
        checkpoint: { thread_id: thread.thread_id, checkpoint_ns: expect.stringMatching(/^child:/) },
      });
    });

    it('a paused task has its path, no result yet and its interrupt', async () => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('interrupt') });
      const state = await client.threads.getState(thread.thread_id, undefined, { subgraphs: true });
      expect(state.tasks[0]).toMatchObject({ name: 'agent', path: ['__pregel_pull', 'agent'], result: null });
      expect(state.tasks[0].interrupts).toHaveLength(1);
    });
  });

  describe('unknown graphs and assistants', () => {
    it('answer 404 on every run endpoint and on crons', async () => {
      const thread = await client.threads.create();
      const unknownUuid = '9b2f7c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b';
      for (const assistant of ['no-such-graph', unknownUuid]) {
        expect(await statusOf(client.runs.create(thread.thread_id, assistant, { input: {} }))).toBe(404);
        expect(await statusOf(client.runs.wait(thread.thread_id, assistant, { input: {} }))).toBe(404);
        expect(await statusOf(client.runs.wait(null, assistant, { input: {} }))).toBe(404);
        expect((await post(`/threads/${thread.thread_id}/runs/stream`, { assistant_id: assistant })).status).toBe(404);
        expect((await post('/runs/stream', { assistant_id: assistant })).status).toBe(404);
        expect(await statusOf(client.crons.create(assistant, { schedule: '* * * * *' }))).toBe(404);
      }
      const body = (await (await post('/runs/wait', { assistant_id: 'no-such-graph' })).json()) as { detail: string };
      expect(body.detail).toMatch(/^No assistant found for "no-such-graph"/);
    });
  });
  describe('thread lifecycle', () => {
    it('prunes threads: delete removes them and their runs, unknown ids are not counted', async () => {
      const [a, b] = [await client.threads.create(), await client.threads.create()];
      await client.runs.wait(a.thread_id, 'agent', { input: HUMAN('bye') });
      const result = await client.threads.prune([a.thread_id, b.thread_id, '0b7e8f6a-1c2d-4e3f-9a8b-7c6d5e4f3a2b']);
      expect(result).toEqual({ pruned_count: 2 });
      expect(await statusOf(client.threads.get(a.thread_id))).toBe(404);
      expect(await statusOf(client.threads.get(b.thread_id))).toBe(404);
      expect(await statusOf(client.runs.list(a.thread_id))).toBe(404);
    });

    it('prunes with keep_latest: one checkpoint is left, the state is the same and the thread goes on', async () => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('one') });
      await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('two') });
      const before = await client.threads.getState(thread.thread_id);
      expect((await client.threads.getHistory(thread.thread_id, { limit: 50 })).length).toBeGreaterThan(1);
      await expect(client.threads.prune([thread.thread_id], { strategy: 'keep_latest' })).resolves.toEqual({ pruned_count: 1 });
      const history = await client.threads.getHistory(thread.thread_id, { limit: 50 });
      expect(history.map((state) => state.checkpoint.checkpoint_id)).toEqual([before.checkpoint.checkpoint_id]);
      expect((await client.threads.getState(thread.thread_id)).values).toEqual(before.values);
      const after = (await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('three') })) as { messages: unknown[] };
      expect(after.messages).toHaveLength(6);
    });

    it('refuses a bad prune body with 422 naming the field', async () => {
      const badStrategy = await post('/threads/prune', { thread_ids: [], strategy: 'shred' });
      expect(badStrategy.status).toBe(422);
      expect(JSON.stringify(await badStrategy.json())).toContain('strategy');
      const badIds = await post('/threads/prune', { thread_ids: ['nope'] });
      expect(badIds.status).toBe(422);
      expect(JSON.stringify(await badIds.json())).toContain('thread_ids');
    });

    it('stores a thread ttl on create and PATCH, shows it with include=ttl or select, and refuses a bad one', async () => {
      const thread = await client.threads.create({ ttl: { ttl: 60, strategy: 'delete' } });
      expect(thread).not.toHaveProperty('ttl');
      const withTtl = (await client.threads.get(thread.thread_id, { include: ['ttl'] })) as { ttl?: { ttl: number; strategy: string; expires_at: string } };
      expect(withTtl.ttl).toMatchObject({ ttl: 60, strategy: 'delete' });
      const expiresIn = Date.parse(withTtl.ttl?.expires_at ?? '') - Date.now();
      expect(expiresIn).toBeGreaterThan(58 * 60_000);
      expect(expiresIn).toBeLessThanOrEqual(60 * 60_000);

      await client.threads.update(thread.thread_id, { ttl: 5 });
      const found = await client.threads.search({ ids: [thread.thread_id], select: ['thread_id', 'ttl' as never] });
      expect(found).toEqual([{ thread_id: thread.thread_id, ttl: expect.objectContaining({ ttl: 5, strategy: 'delete' }) }]);
      const plain = await client.threads.create();
      expect(await client.threads.get(plain.thread_id, { include: ['ttl'] })).toMatchObject({ ttl: null });

      const bad = await post('/threads', { ttl: { ttl: -1 } });
      expect(bad.status).toBe(422);
      expect(JSON.stringify(await bad.json())).toContain('ttl');
      const badPatch = await fetch(`${server.url}/threads/${thread.thread_id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ttl: { ttl: 1, strategy: 'archive' }, metadata: { touched: true } }),
      });
      expect(badPatch.status).toBe(422);
      expect((await client.threads.get(thread.thread_id)).metadata).not.toHaveProperty('touched');
    });

    it('sweeps a thread whose ttl lapsed, with its runs and checkpoints', async () => {
      const thread = await client.threads.create({ ttl: 0.01 });
      const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('short-lived') });
      await client.runs.join(thread.thread_id, run.run_id);
      await waitFor(async () => (await statusOf(client.threads.get(thread.thread_id))) === 404, { timeoutMs: 10_000 });
      expect(await statusOf(client.runs.get(thread.thread_id, run.run_id))).toBe(404);
      expect(await client.threads.getHistory(thread.thread_id).catch((error: { status: number }) => error.status)).toBe(404);
    });

    it('deletes an assistant’s threads with delete_threads=true, and only those', async () => {
      const assistant = await client.assistants.create({ graphId: 'agent' });
      const owned = await client.threads.create({ metadata: { assistant_id: assistant.assistant_id } });
      const ran = await client.threads.create();
      await client.runs.wait(ran.thread_id, assistant.assistant_id, { input: HUMAN('mine') });
      const other = await client.threads.create({ metadata: { assistant_id: 'someone-else' } });
      await client.assistants.delete(assistant.assistant_id, { deleteThreads: true });
      expect(await statusOf(client.assistants.get(assistant.assistant_id))).toBe(404);
      expect(await statusOf(client.threads.get(owned.thread_id))).toBe(404);
      expect(await statusOf(client.threads.get(ran.thread_id))).toBe(404);
      expect(await statusOf(client.threads.get(other.thread_id))).toBe(200);

      const kept = await client.assistants.create({ graphId: 'agent' });
      const keptThread = await client.threads.create({ metadata: { assistant_id: kept.assistant_id } });
      await client.assistants.delete(kept.assistant_id);
      expect(await statusOf(client.threads.get(keptThread.thread_id))).toBe(200);
    });
  });
  describe('GET /threads/{id}/stream', () => {
    type Chunk = { id?: string; event: string; data: unknown };

    /** Collects a thread stream until `runsToEnd` runs have ended, then leaves. */
    async function collect(stream: AsyncIterable<Chunk>, runsToEnd: number, endEvent = 'run_done'): Promise<Chunk[]> {
      const chunks: Chunk[] = [];
      let ended = 0;
      for await (const chunk of stream) {
        chunks.push(chunk);
        if (chunk.event === endEvent && ++ended === runsToEnd) break;
      }
      return chunks;
    }

    it('streams the thread’s runs one after the other, each event numbered <run>:<seq>, each run ending with run_done', async () => {
      const thread = await client.threads.create();
      const controller = new AbortController();
      const collecting = collect(client.threads.joinStream(thread.thread_id, { signal: controller.signal }), 2);
      // Due in a second: the stream has joined by then and sees each run from its first event. The second run may
      // start and end while the stream still follows the first: it keeps its events, so they are replayed.
      const first = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('first'), afterSeconds: 1, streamResumable: true });
      const second = await client.runs.create(thread.thread_id, 'agent', {
        input: HUMAN('second'),
        multitaskStrategy: 'enqueue',
        afterSeconds: 1,
        streamResumable: true,
      });
      const chunks = await collecting.finally(() => controller.abort());

      const runOf = (chunk: Chunk) => chunk.id?.split(':')[0];
      expect(chunks.map(runOf).filter((id, i, all) => all.indexOf(id) === i)).toEqual([first.run_id, second.run_id]);
      for (const run of [first, second]) {
        const own = chunks.filter((chunk) => runOf(chunk) === run.run_id);
        expect(own[0]).toMatchObject({ id: `${run.run_id}:0`, event: 'metadata', data: { run_id: run.run_id } });
        expect(own.at(-1)).toEqual({ id: `${run.run_id}:done`, event: 'run_done', data: { run_id: run.run_id, status: 'success' } });
        expect(own.some((chunk) => chunk.event === 'values')).toBe(true);
      }
    });

    it('announces the end of every run, in order, even one that ran while the stream followed the one before', async () => {
      const thread = await client.threads.create();
      const controller = new AbortController();
      const collecting = collect(client.threads.joinStream(thread.thread_id, { streamMode: 'lifecycle', signal: controller.signal }), 3);
      const runs = [];
      for (const text of ['one', 'two', 'three']) {
        runs.push(await client.runs.create(thread.thread_id, 'agent', { input: HUMAN(text), multitaskStrategy: 'enqueue', afterSeconds: 1 }));
      }
      const chunks = await collecting.finally(() => controller.abort());
      const ends = chunks.filter((chunk) => chunk.event === 'run_done').map((chunk) => (chunk.data as { run_id: string }).run_id);
      expect(ends).toEqual(runs.map((run) => run.run_id));
    });

    it('lifecycle passes only run starts and ends; state_update the state each run left', async () => {
      const thread = await client.threads.create();
      const controller = new AbortController();
      const lifecycle = collect(client.threads.joinStream(thread.thread_id, { streamMode: 'lifecycle', signal: controller.signal }), 1);
      const updates = collect(client.threads.joinStream(thread.thread_id, { streamMode: 'state_update', signal: controller.signal }), 1, 'state_update');
      const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('watch me'), afterSeconds: 1 });
      const [events, states] = await Promise.all([lifecycle, updates]).finally(() => controller.abort());
      expect(events.map((chunk) => chunk.event)).toEqual(['metadata', 'run_done']);
      expect(states).toHaveLength(1);
      expect(states[0]).toMatchObject({ event: 'state_update', data: { run_id: run.run_id, status: 'success' } });
      const values = (states[0].data as { values: { messages: { content: string }[] } }).values;
      expect(values.messages.at(-1)?.content).toBe('echo: watch me');
    });

    it('resumes after Last-Event-ID, replaying the rest of a resumable run', async () => {
      const thread = await client.threads.create();
      const full = await readSse(await post(`/threads/${thread.thread_id}/runs/stream`, { assistant_id: 'agent', input: HUMAN('resume me'), stream_resumable: true }));
      const runId = (full[0].data as { run_id: string }).run_id;
      const controller = new AbortController();
      const chunks = await collect(client.threads.joinStream(thread.thread_id, { lastEventId: `${runId}:1`, signal: controller.signal }), 1).finally(() =>
        controller.abort(),
      );
      expect(chunks.map((chunk) => chunk.id)).toEqual([...full.slice(2).map((event) => `${runId}:${event.id}`), `${runId}:done`]);
    });

    it('answers 404 for an unknown thread and 422 for an unknown mode', async () => {
      expect((await fetch(`${server.url}/threads/6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c/stream`)).status).toBe(404);
      const thread = await client.threads.create();
      const bad = await fetch(`${server.url}/threads/${thread.thread_id}/stream?stream_mode=values`);
      expect(bad.status).toBe(422);
      expect(JSON.stringify(await bad.json())).toContain('stream_mode');
    });
  });
});
