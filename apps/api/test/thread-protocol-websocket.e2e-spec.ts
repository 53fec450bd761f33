import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer, waitFor } from '@runhook/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import WebSocket from 'ws';

const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

interface Frame {
  type: 'success' | 'error' | 'event';
  id?: number | null;
  error?: string;
  message?: string;
  result?: Record<string, unknown>;
  method?: string;
  seq?: number;
  params?: { namespace: string[]; data: Record<string, unknown> };
}

/** Node 20 has no global WebSocket: the SDK is handed the `ws` package's, as a Node client of the SDK would. */
const webSocketFactory = (url: string) => new WebSocket(url) as unknown as globalThis.WebSocket;

function lastText(values: unknown): string {
  const messages = (values as { messages?: { content: unknown }[] } | undefined)?.messages ?? [];
  const content = messages[messages.length - 1]?.content;
  return typeof content === 'string' ? content : JSON.stringify(content);
}

/** A raw protocol socket: send commands, read every frame that comes back. */
class RawSocket {
  readonly frames: Frame[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
    const socket = new WebSocket(url, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      socket.once('error', reject);
    });
    return new RawSocket(socket);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async answerTo(id: number | null): Promise<Frame> {
    return waitFor(() => this.frames.find((frame) => frame.type !== 'event' && frame.id === id), { message: `answer to command ${id}` });
  }

  close(): void {
    this.socket.close();
  }
}

/** The HTTP status a refused upgrade answers with. */
async function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<number> {
  const socket = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => reject(new Error('the upgrade was accepted')));
    socket.once('error', () => undefined);
  });
}

describe('the thread protocol over a WebSocket (client.threads.stream with transport "websocket")', () => {
  let server: RunningServer;
  let client: Client;
  let socketUrl: (threadId: string) => string;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: join(__dirname, 'fixtures', 'langgraph.json') });
    client = new Client({ apiUrl: server.url });
    socketUrl = (threadId) => `${server.url.replace(/^http/, 'ws')}/threads/${threadId}/stream/events`;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('runs, streams and resolves thread.output through the SDK, with commands and events on one socket', async () => {
    const thread = client.threads.stream({ assistantId: 'agent', transport: 'websocket', webSocketFactory });
    try {
      await thread.run.start({ input: HUMAN('hello socket') });
      const lifecycle: string[] = [];
      for await (const raw of await thread.subscribe({ channels: ['lifecycle'] })) {
        const event = raw as Frame;
        lifecycle.push(String(event.params?.data['event']));
        if (event.params?.namespace.length === 0 && event.params.data['event'] === 'completed') break;
      }
      expect(lifecycle).toEqual(['running', 'completed']);
      expect(lastText(await thread.output)).toBe('echo: hello socket');
      expect((await client.threads.get(thread.threadId)).status).toBe('idle');
    } finally {
      await thread.close();
    }
  });

  it('shows an interrupt and takes its answer through input.respond on the socket', async () => {
    const thread = client.threads.stream({ assistantId: 'agent', transport: 'websocket', webSocketFactory });
    try {
      await thread.run.start({ input: HUMAN('interrupt') });
      await thread.output;
      expect(thread.interrupted).toBe(true);
      const [pending] = thread.interrupts;
      expect(pending.payload).toEqual({ question: 'approve?' });
      await thread.input.respond({ namespace: [], interrupt_id: pending.interruptId, response: 'yes' });
      await waitFor(async () => (await client.threads.get(thread.threadId)).status === 'idle');
      const runs = await client.runs.list(thread.threadId);
      expect(runs.map((run) => run.status)).toEqual(['success', 'success']);
      expect(lastText((await client.threads.getState(thread.threadId)).values)).toBe('resumed: yes');
    } finally {
      await thread.close();
    }
  });

  it('answers a subscribe first, then replays the kept events it selects, then stops them on unsubscribe', async () => {
    const threadId = randomUUID();
    const socket = await RawSocket.open(socketUrl(threadId));
    try {
      socket.send({ id: 1, method: 'run.start', params: { assistant_id: 'agent', input: HUMAN('replayed') } });
      expect(await socket.answerTo(1)).toMatchObject({ type: 'success', result: { run_id: expect.any(String) } });
      await waitFor(async () => (await client.threads.get(threadId)).status === 'idle');

      socket.send({ id: 2, method: 'subscription.subscribe', params: { channels: ['lifecycle'] } });
      const answer = await socket.answerTo(2);
      expect(answer).toMatchObject({ type: 'success', result: { subscription_id: expect.any(String) } });
      // The thread reads idle at the run end's commit; its terminal lifecycle event is kept when the run's outcome
      // reaches the protocol thread, an instant later. So `completed` is replayed, or follows live, never lost.
      expect([1, 2]).toContain(answer.result?.['replayed_events']);
      // On one ordered connection the answer comes first: the SDK registers the subscription from it.
      const position = socket.frames.indexOf(answer);
      expect(socket.frames.slice(0, position).filter((frame) => frame.type === 'event')).toEqual([]);
      await waitFor(() => socket.frames.length >= position + 3);
      const replayed = socket.frames.slice(position + 1);
      expect(replayed.map((frame) => [frame.type, frame.method, frame.params?.data['event']])).toEqual([
        ['event', 'lifecycle', 'running'],
        ['event', 'lifecycle', 'completed'],
      ]);

      const subscriptionId = String(answer.result?.['subscription_id']);
      socket.send({ id: 3, method: 'subscription.unsubscribe', params: { subscription_id: subscriptionId } });
      expect(await socket.answerTo(3)).toMatchObject({ type: 'success' });
      const before = socket.frames.length;
      socket.send({ id: 4, method: 'run.start', params: { assistant_id: 'agent', input: HUMAN('unheard') } });
      await socket.answerTo(4);
      await waitFor(async () => (await client.runs.list(threadId)).every((run) => run.status === 'success'));
      expect(socket.frames.slice(before).filter((frame) => frame.type === 'event')).toEqual([]);
      socket.send({ id: 5, method: 'subscription.unsubscribe', params: { subscription_id: subscriptionId } });
      expect(await socket.answerTo(5)).toMatchObject({ type: 'error', error: 'no_such_subscription' });
    } finally {
      socket.close();
    }
  });

  it('answers bad frames with error frames and keeps the socket open; refuses bad upgrades with the HTTP status', async () => {
    const socket = await RawSocket.open(socketUrl(randomUUID()));
    try {
      socket.send('not json');
      expect(await socket.answerTo(null)).toMatchObject({ type: 'error', error: 'invalid_argument', message: 'Protocol commands must be valid JSON' });
      socket.send({ id: 1, method: 'no.such.command' });
      expect(await socket.answerTo(1)).toMatchObject({ type: 'error', error: 'unknown_command' });
      socket.send({ id: 2, method: 'subscription.subscribe', params: { channels: ['nope'] } });
      expect(await socket.answerTo(2)).toMatchObject({ type: 'error', error: 'invalid_argument', message: expect.stringMatching(/^params\.channels:/) });
      socket.send({ id: 3, method: 'state.get' });
      expect(await socket.answerTo(3)).toMatchObject({ type: 'error', message: expect.stringMatching(/not found/) });
      socket.send({ id: 4, method: 'run.start', params: { assistant_id: 'agent', input: HUMAN('still open') } });
      expect(await socket.answerTo(4)).toMatchObject({ type: 'success' });
    } finally {
      socket.close();
    }
    expect(await refusedUpgrade(`${server.url.replace(/^http/, 'ws')}/threads/not-a-uuid/stream/events`)).toBe(422);
    const plain = await fetch(`${server.url}/threads/${randomUUID()}/stream/events`);
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as { detail: string }).detail).toMatch(/WebSocket transport/);
  });
});

describe('the thread protocol over a WebSocket under custom auth', () => {
  let server: RunningServer;
  let socketUrl: (threadId: string) => string;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: join(__dirname, 'fixtures', 'auth', 'langgraph.json') });
    socketUrl = (threadId) => `${server.url.replace(/^http/, 'ws')}/threads/${threadId}/stream/events`;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('authenticates the upgrade, runs commands as that caller, and hides other users’ threads', async () => {
    expect(await refusedUpgrade(socketUrl(randomUUID()))).toBe(401);
    const alice = new Client({ apiUrl: server.url, defaultHeaders: { Authorization: 'Bearer token-alice' } });
    const assistant = await alice.assistants.create({ graphId: 'agent' });
    const threadId = randomUUID();
    const aliceSocket = await RawSocket.open(socketUrl(threadId), { authorization: 'Bearer token-alice' });
    try {
      aliceSocket.send({ id: 1, method: 'run.start', params: { assistant_id: assistant.assistant_id, input: HUMAN('mine') } });
      expect(await aliceSocket.answerTo(1)).toMatchObject({ type: 'success' });
      await waitFor(async () => (await alice.threads.get(threadId)).status === 'idle');
      expect((await alice.threads.get(threadId)).metadata).toMatchObject({ owner: 'alice' });
    } finally {
      aliceSocket.close();
    }

    const bobSocket = await RawSocket.open(socketUrl(threadId), { authorization: 'Bearer token-bob' });
    try {
      bobSocket.send({ id: 1, method: 'subscription.subscribe', params: { channels: ['values'] } });
      expect(await bobSocket.answerTo(1)).toMatchObject({ type: 'error', message: expect.stringMatching(/not found/) });
      bobSocket.send({ id: 2, method: 'state.get' });
      expect(await bobSocket.answerTo(2)).toMatchObject({ type: 'error', message: expect.stringMatching(/not found/) });
      expect(bobSocket.frames.filter((frame) => frame.type === 'event')).toEqual([]);
    } finally {
      bobSocket.close();
    }
  });
});
