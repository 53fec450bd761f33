import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer, waitFor } from '@runhook/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

interface Message {
  type: string;
  content: unknown;
}

interface ProtocolEventLike {
  method: string;
  seq?: number;
  params: { namespace: string[]; data: Record<string, unknown> };
}

function lastMessage(values: unknown): Message | undefined {
  const messages = (values as { messages?: Message[] } | undefined)?.messages ?? [];
  return messages[messages.length - 1];
}

/** Content of a message, whether the SDK handed back a class instance or a plain dict. */
function textOf(message: Message | undefined): string {
  return typeof message?.content === 'string' ? message.content : JSON.stringify(message?.content);
}

/** Events of a subscription until the root namespace ends (completed, failed or interrupted). */
async function untilRootEnds(subscription: AsyncIterable<unknown>): Promise<ProtocolEventLike[]> {
  const events: ProtocolEventLike[] = [];
  for await (const raw of subscription) {
    const event = raw as ProtocolEventLike;
    events.push(event);
    const state = event.params.data['event'];
    if (event.method === 'lifecycle' && event.params.namespace.length === 0 && (state === 'completed' || state === 'failed' || state === 'interrupted')) break;
  }
  return events;
}

describe('the thread protocol (client.threads.stream) over HTTP and SSE', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: join(__dirname, 'fixtures', 'langgraph.json'), env: { STREAM_HEARTBEAT_MS: '200' } });
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    await server?.stop();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('starts a run on a new thread, streams its lifecycle, messages and values, and resolves thread.values and thread.output', async () => {
    const thread = client.threads.stream({ assistantId: 'agent' });
    try {
      const snapshots: unknown[] = [];
      const collecting = (async () => {
        for await (const snapshot of thread.values) snapshots.push(snapshot);
      })();
      await thread.run.start({ input: HUMAN('hello protocol') });
      // Opened after run.start (the thread exists from then on): each stream replays the run from its start.
      const lifecycle = await untilRootEnds(await thread.subscribe({ channels: ['lifecycle'] }));
      const messageEvents: Record<string, unknown>[] = [];
      for await (const raw of await thread.subscribe({ channels: ['messages'] })) {
        const event = raw as ProtocolEventLike;
        messageEvents.push(event.params.data);
        if (event.params.data['event'] === 'message-finish') break;
      }
      const output = await thread.output;
      await collecting;

      expect(textOf(lastMessage(output))).toBe('echo: hello protocol');
      expect(textOf(lastMessage(await thread.values))).toBe('echo: hello protocol');
      expect(snapshots.length).toBeGreaterThanOrEqual(2);
      expect(lifecycle.map((event) => event.params.data['event'])).toEqual(['running', 'completed']);
      const seqs = lifecycle.map((event) => event.seq ?? 0);
      expect(seqs[1]).toBeGreaterThan(seqs[0]);
      // The reply streams token by token as the protocol's message lifecycle.
      expect(messageEvents[0]).toMatchObject({ event: 'message-start', role: 'ai' });
      const deltas = messageEvents.filter((data) => data['event'] === 'content-block-delta').map((data) => (data['delta'] as { text: string }).text);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe('echo: hello protocol');
      expect(messageEvents[messageEvents.length - 2]).toEqual({ event: 'content-block-finish', index: 0, content: { type: 'text', text: 'echo: hello protocol' } });

      // The run is an ordinary Runhook run on a thread the protocol created.
      const [run] = await client.runs.list(thread.threadId);
      expect(run).toMatchObject({ status: 'success', assistant_id: expect.any(String) });
      expect(textOf(lastMessage((await client.threads.getState(thread.threadId)).values))).toBe('echo: hello protocol');
      expect(await thread.state.get({ namespace: [] })).toMatchObject({ values: { messages: expect.any(Array) }, checkpoint: { id: expect.any(String) } });
    } finally {
      await thread.close();
    }
  });

  it('shows an interrupt, takes its answer through input.respond, and the resumed run completes', async () => {
    const thread = client.threads.stream({ assistantId: 'agent' });
    await thread.run.start({ input: HUMAN('interrupt') });
    await thread.output;
    expect(thread.interrupted).toBe(true);
    expect(thread.interrupts).toHaveLength(1);
    const [pending] = thread.interrupts;
    expect(pending.payload).toEqual({ question: 'approve?' });
    expect((await client.threads.get(thread.threadId)).status).toBe('interrupted');

    await thread.input.respond({ namespace: [], interrupt_id: pending.interruptId, response: 'yes' });
    // A second client on the thread replays the resumed run from its start and sees it end.
    const watcher = client.threads.stream(thread.threadId, { assistantId: 'agent' });
    const resumed = await watcher.output;
    expect(textOf(lastMessage(resumed))).toBe('resumed: yes');
    await waitFor(async () => (await client.threads.get(thread.threadId)).status === 'idle');
    const runs = await client.runs.list(thread.threadId);
    expect(runs.map((run) => run.status)).toEqual(['success', 'success']);
    await Promise.all([thread.close(), watcher.close()]);
  });

  it('answers an interrupt through run.start too, and reports failed runs as failed', async () => {
    const thread = client.threads.stream({ assistantId: 'agent' });
    await thread.run.start({ input: HUMAN('interrupt') });
    await thread.output;
    await thread.close();
    const again = client.threads.stream(thread.threadId, { assistantId: 'agent' });
    await again.run.start({ input: 'via run.start' });
    expect(textOf(lastMessage(await again.output))).toBe('resumed: via run.start');
    await again.close();

    const failing = client.threads.stream({ assistantId: 'agent' });
    await failing.run.start({ input: HUMAN('fail') });
    const lifecycle = await failing.subscribe({ channels: ['lifecycle'] });
    const ended = (await untilRootEnds(lifecycle)).pop();
    expect(ended?.params.data).toMatchObject({ event: 'failed', error: 'requested failure' });
    await failing.close();
  });

  it('filters event streams by channel and replays a finished run to a late stream', async () => {
    const thread = client.threads.stream({ assistantId: 'agent' });
    await thread.run.start({ input: HUMAN('late reader') });
    await thread.output;
    const response = await post(`/threads/${thread.threadId}/stream/events`, { channels: ['lifecycle'] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    if (!response.body) throw new Error('the event stream has no body');
    const reader = response.body.getReader();
    let text = '';
    while (!text.includes('"completed"')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const blocks = text.split(/\r?\n\r?\n/).filter((block) => block.includes('event:'));
    expect(blocks.every((block) => /event: lifecycle/.test(block) && /^id: \d+/m.test(block))).toBe(true);
    await thread.close();
  });

  it('answers bad commands and filters with 422 naming the field, unknown threads with 404, a respond with nothing pending with 409', async () => {
    const threadId = randomUUID();
    const cases: Array<[string, unknown, RegExp]> = [
      ['commands', { method: 'run.start' }, /^id:/],
      ['commands', { id: 1, method: 'run.start', params: {} }, /^params\.assistant_id:/],
      ['commands', { id: 1, method: 'run.start', params: { assistant_id: 'agent', config: 'x' } }, /^params\.config:/],
      ['commands', { id: 1, method: 'run.start', params: { assistant_id: 'agent', config: { recursion_limit: 'many' } } }, /^params\.config\.recursion_limit/],
      ['commands', { id: 1, method: 'run.teleport' }, /^method:/],
      ['commands', { id: 1, method: 'input.respond', params: {} }, /^params\.interrupt_id:/],
      ['stream/events', { channels: ['bogus'] }, /^body\.channels:/],
      ['stream/events', { channels: ['values'], depth: -2 }, /^body\.depth:/],
      ['stream/events', [], /^body:/],
    ];
    for (const [route, body, detail] of cases) {
      const response = await post(`/threads/${threadId}/${route}`, body);
      expect([route, response.status]).toEqual([route, 422]);
      expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
    }
    expect((await post('/threads/not-a-uuid/commands', { id: 1, method: 'state.get' })).status).toBe(422);
    for (const [route, body] of [
      ['stream/events', { channels: ['values'] }],
      ['commands', { id: 1, method: 'state.get' }],
      ['commands', { id: 1, method: 'input.respond', params: { interrupt_id: 'x', response: 1 } }],
      ['commands', { id: 1, method: 'subscription.subscribe', params: { channels: ['values'] } }],
    ] as const) {
      const response = await post(`/threads/${threadId}/${route}`, body);
      expect([route, response.status, typeof ((await response.json()) as { detail?: unknown }).detail]).toEqual([route, 404, 'string']);
    }
    const unknownAssistant = await post(`/threads/${threadId}/commands`, { id: 1, method: 'run.start', params: { assistant_id: 'no-such-graph', input: {} } });
    expect(unknownAssistant.status).toBe(404);

    const idle = await client.threads.create();
    const respond = await post(`/threads/${idle.thread_id}/commands`, { id: 7, method: 'input.respond', params: { interrupt_id: 'x', response: 1 } });
    expect(respond.status).toBe(409);
    const subscribe = await post(`/threads/${idle.thread_id}/commands`, { id: 8, method: 'subscription.subscribe', params: { channels: ['values'] } });
    const subscribed = (await subscribe.json()) as { result: { subscription_id: string } };
    expect(subscribed).toMatchObject({ type: 'success', id: 8, result: { subscription_id: expect.any(String), replayed_events: 0 }, meta: { thread_id: idle.thread_id } });
    const unsubscribe = (id: string) => post(`/threads/${idle.thread_id}/commands`, { id: 9, method: 'subscription.unsubscribe', params: { subscription_id: id } });
    expect((await unsubscribe(subscribed.result.subscription_id)).status).toBe(200);
    expect((await unsubscribe(subscribed.result.subscription_id)).status).toBe(404);
  });

  it('answers no client mistake with a 500, on a thread that exists', async () => {
    const { thread_id: threadId } = await client.threads.create({ metadata: { assistant_id: 'agent' } });
    const commands: unknown[] = [
      null,
      'run.start',
      42,
      { id: 'one', method: 'run.start' },
      { id: 1, method: 'run.start', params: { assistant_id: 5 } },
      { id: 1, method: 'run.start', params: { assistant_id: 'agent', input: {}, context: { a: 1 }, config: { configurable: { a: 1 } } } },
      { id: 1, method: 'run.start', params: { assistant_id: 'agent', metadata: { nested: { deep: [1, { x: null }] } }, multitask_strategy: 7 } },
      { id: 1, method: 'input.respond', params: { responses: 'all' } },
      { id: 1, method: 'input.respond', params: { interrupt_id: 'x', response: 1, goto: { node: 5 } } },
      { id: 1, method: 'state.get', params: { keys: 'messages' } },
      { id: 1, method: 'subscription.subscribe', params: { channels: 'values' } },
      { id: 1, method: 'subscription.unsubscribe', params: { subscription_id: 3 } },
    ];
    for (const body of commands) {
      const response = await post(`/threads/${threadId}/commands`, body);
      expect([JSON.stringify(body), response.status < 500]).toEqual([JSON.stringify(body), true]);
      await response.body?.cancel();
    }
    for (const body of [{ channels: [1] }, { channels: ['values'], namespaces: [[1]] }, { channels: ['values'], since: 1.5 }, { channels: ['values'], extra: true, depth: '2' }]) {
      const response = await post(`/threads/${threadId}/stream/events`, body);
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 422]);
    }
    const raw = await fetch(`${server.url}/threads/${threadId}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": 1,' });
    expect(raw.status).toBeLessThan(500);
  });
});

describe('the thread protocol under custom auth', () => {
  let server: RunningServer;
  const as = (token: string) => new Client({ apiUrl: server.url, defaultHeaders: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: join(__dirname, 'fixtures', 'auth', 'langgraph.json') });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("runs as the caller (threads:create_run) and hides a thread from other users' commands and streams (threads:read)", async () => {
    const alice = as('token-alice');
    const assistant = await alice.assistants.create({ graphId: 'agent' });
    const thread = alice.threads.stream({ assistantId: assistant.assistant_id });
    await thread.run.start({ input: HUMAN('mine') });
    expect(textOf(lastMessage(await thread.output))).toBe('echo: mine');
    expect((await alice.threads.get(thread.threadId)).metadata).toMatchObject({ owner: 'alice' });
    await thread.close();

    const bob = { authorization: 'Bearer token-bob', 'content-type': 'application/json' };
    const asBob = (route: string, body: unknown) => fetch(`${server.url}/threads/${thread.threadId}/${route}`, { method: 'POST', headers: bob, body: JSON.stringify(body) });
    expect((await asBob('stream/events', { channels: ['values'] })).status).toBe(404);
    expect((await asBob('commands', { id: 1, method: 'state.get' })).status).toBe(404);
    expect((await asBob('commands', { id: 1, method: 'run.start', params: { assistant_id: assistant.assistant_id, input: HUMAN('theirs') } })).status).toBe(404);
    const anonymous = await fetch(`${server.url}/threads/${thread.threadId}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1,"method":"state.get"}' });
    expect(anonymous.status).toBe(401);
  });
});
