import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer, waitFor } from '@runhook/testing';

const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

interface Message {
  content: string;
}

describe('durability across restarts and crashes', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('keeps threads, state, history and runs across a clean restart', async () => {
    server = await startApiServer();
    const databaseUrl = server.databaseUrl;
    let client = new Client({ apiUrl: server.url });
    const thread = await client.threads.create({ metadata: { keep: true } });
    await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('remember me') });
    const runs = await client.runs.list(thread.thread_id);
    await server.stop();

    server = await startApiServer({ databaseUrl });
    client = new Client({ apiUrl: server.url });
    await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'idle', metadata: { keep: true } });
    const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
    expect(state.values.messages.map((m) => m.content)).toEqual(['remember me', 'echo: remember me']);
    expect((await client.threads.getHistory(thread.thread_id)).length).toBeGreaterThanOrEqual(3);
    await expect(client.runs.list(thread.thread_id)).resolves.toEqual(runs);
    const more = (await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('and again') })) as { messages: Message[] };
    expect(more.messages).toHaveLength(4);
  });

  it('after kill -9, a run that was running is picked up again and finishes; its thread is not blocked', async () => {
    const env = { RUN_LEASE_MS: '1500' };
    server = await startApiServer({ env });
    const databaseUrl = server.databaseUrl;
    let client = new Client({ apiUrl: server.url });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 1500') });
    const queued = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('queued behind') });
    await waitFor(async () => (await client.runs.get(thread.thread_id, run.run_id)).status === 'running');
    await server.crash();

    server = await startApiServer({ databaseUrl, env });
    client = new Client({ apiUrl: server.url });
    await client.runs.join(thread.thread_id, queued.run_id);
    const [crashed, after] = await Promise.all([
      client.runs.get(thread.thread_id, run.run_id),
      client.runs.get(thread.thread_id, queued.run_id),
    ]);
    expect(crashed.status).toBe('success');
    expect(after.status).toBe('success');
    const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
    // The retry continued from the crashed run's own checkpoint: its input is not added twice.
    expect(state.values.messages.map((m) => m.content)).toEqual(['sleep 1500', 'slept 1500', 'queued behind', 'echo: queued behind']);
    await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'idle' });
  });

  it('ends a run with a clear error once it has been abandoned too many times', async () => {
    const env = { RUN_LEASE_MS: '1000', RUN_MAX_ATTEMPTS: '1' };
    server = await startApiServer({ env });
    const databaseUrl = server.databaseUrl;
    let client = new Client({ apiUrl: server.url });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 60000') });
    await waitFor(async () => (await client.runs.get(thread.thread_id, run.run_id)).status === 'running');
    await server.crash();

    server = await startApiServer({ databaseUrl, env });
    client = new Client({ apiUrl: server.url });
    const output = (await client.runs.join(thread.thread_id, run.run_id)) as { __error__?: { error: string; message: string } };
    expect(output.__error__).toEqual({ error: 'WorkerLost', message: expect.stringMatching(/worker stopped/) });
    await expect(client.runs.get(thread.thread_id, run.run_id)).resolves.toMatchObject({ status: 'error' });
    await expect(client.threads.get(thread.thread_id)).resolves.toMatchObject({ status: 'error' });
    const next = (await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('still usable') })) as { messages: Message[] };
    expect(next.messages.at(-1)?.content).toBe('echo: still usable');
  });

  it('a pending run accepted before a crash is executed after restart', async () => {
    server = await startApiServer({ env: { N_JOBS_PER_WORKER: '1' } });
    const databaseUrl = server.databaseUrl;
    let client = new Client({ apiUrl: server.url });
    const blocker = await client.threads.create();
    await client.runs.create(blocker.thread_id, 'agent', { input: HUMAN('sleep 60000') });
    const thread = await client.threads.create();
    const pending = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('do not lose me') });
    await server.crash();

    server = await startApiServer({ databaseUrl });
    client = new Client({ apiUrl: server.url });
    const values = (await client.runs.join(thread.thread_id, pending.run_id)) as { messages: Message[] };
    expect(values.messages.at(-1)?.content).toBe('echo: do not lose me');
  });
});
