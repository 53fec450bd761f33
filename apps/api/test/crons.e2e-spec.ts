import { Client } from '@langchain/langgraph-sdk';
import { type RecordingReceiver, type RunningServer, startApiServer, startRecordingReceiver, waitFor } from '@runhook/testing';

const EVERY_SECOND = '*/1 * * * * *';
const INPUT = { messages: [{ role: 'human', content: 'tick' }] };

interface Firing {
  scheduled_at: string;
  run_id: string | null;
  thread_id: string | null;
  lag_ms: number;
  status: string;
}

async function http(server: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function firings(server: RunningServer, cronId: string): Promise<Firing[]> {
  return (await http(server, 'GET', `/runs/crons/${cronId}/runs?limit=1000`)).json as Firing[];
}

/** Scheduled times of the runs on a thread, with how many runs each one got. */
async function runsPerSlot(client: Client, threadId: string): Promise<Map<string, number>> {
  const runs = await client.runs.list(threadId, { limit: 1000 });
  const perSlot = new Map<string, number>();
  for (const run of runs) {
    const slot = String(run.metadata?.['cron_scheduled_at']);
    perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
  }
  return perSlot;
}

/** Every slot between the first and the last one fired, each exactly once. */
function expectContiguousOnce(perSlot: Map<string, number>): void {
  const slots = [...perSlot.keys()].map((slot) => Date.parse(slot)).sort((a, b) => a - b);
  expect([...perSlot.values()].every((count) => count === 1)).toBe(true);
  for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(1000);
}

describe('crons over HTTP with the official SDK (built server)', () => {
  let server: RunningServer;
  let client: Client;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    server = await startApiServer();
    client = new Client({ apiUrl: server.url });
    receiver = await startRecordingReceiver();
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
  });

  it('reports crons in /info and validates create, get and patch', async () => {
    expect((await http(server, 'GET', '/info')).json).toMatchObject({ flags: { crons: true } });
    // The cron routes are not swallowed by GET /runs/:runId.
    const missing = await http(server, 'GET', '/runs/crons/7c0f3a7e-4a51-4b8e-9a8e-1d5f0e1c2b3a');
    expect(missing).toEqual({ status: 404, json: { detail: 'Cron 7c0f3a7e-4a51-4b8e-9a8e-1d5f0e1c2b3a not found' } });
    const bad = (body: object) => http(server, 'POST', '/runs/crons', { assistant_id: 'agent', schedule: '* * * * *', ...body });
    expect(await bad({ schedule: '61 * * * *' })).toMatchObject({ status: 422, json: { detail: expect.stringContaining('Invalid cron schedule') } });
    expect(await bad({ timezone: 'Mars/Olympus' })).toMatchObject({ status: 422, json: { detail: expect.stringContaining('Mars/Olympus') } });
    const unknownAssistant = '5e0c9a1b-2d3f-4a6b-8c7d-9e0f1a2b3c4d';
    expect(await bad({ assistant_id: unknownAssistant })).toMatchObject({ status: 404, json: { detail: expect.stringContaining(unknownAssistant) } });
    // An unknown graph id is an unknown assistant, as for runs: 404.
    expect(await bad({ assistant_id: 'nope' })).toMatchObject({ status: 404, json: { detail: expect.stringContaining('nope') } });
    expect(await bad({ webhook: 'ftp://example.com/hook' })).toMatchObject({ status: 422, json: { detail: expect.stringContaining('Webhook') } });
    const thread = 'f3b1e0d2-8c4a-4f6e-9b7d-2a1c0e9f8d7b';
    expect(await http(server, 'POST', `/threads/${thread}/runs/crons`, { assistant_id: 'agent', schedule: '* * * * *' })).toMatchObject({
      status: 404,
      json: { detail: `Thread ${thread} not found` },
    });
    const cron = await client.crons.create('agent', { schedule: '0 9 * * *', timezone: 'Europe/Berlin', metadata: { team: 'e2e' } });
    expect(cron).toMatchObject({ schedule: '0 9 * * *', timezone: 'Europe/Berlin', enabled: true, on_run_completed: 'delete', thread_id: null });
    expect((await http(server, 'GET', `/runs/crons/${cron.cron_id}`)).json).toEqual(cron);
    expect((await http(server, 'PATCH', `/runs/crons/${cron.cron_id}`, {})).status).toBe(400);
    const patched = await client.crons.update(cron.cron_id, { schedule: '30 9 * * *' });
    expect(new Date(patched.next_run_date as string).getUTCMinutes()).toBe(30);
    expect(await client.crons.count({ metadata: { team: 'e2e' } })).toBe(1);
    const search = await fetch(`${server.url}/runs/crons/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"limit":1}' });
    expect(search.headers.get('x-pagination-total')).not.toBeNull();
    await client.crons.delete(cron.cron_id);
  });

  it('fires a thread cron every second on its thread with the cron metadata; its webhook arrives; disable stops it', async () => {
    const thread = await client.threads.create();
    const cron = await client.crons.createForThread(thread.thread_id, 'agent', {
      schedule: EVERY_SECOND,
      input: INPUT,
      metadata: { team: 'thread-cron' },
      webhook: `${receiver.url}/hooks/thread`,
    });
    await waitFor(async () => (await runsPerSlot(client, thread.thread_id)).size >= 3, { timeoutMs: 8_000 });
    const runs = await client.runs.list(thread.thread_id);
    expect(runs[0]).toMatchObject({ multitask_strategy: 'enqueue', metadata: { team: 'thread-cron', cron_id: cron.cron_id } });
    const history = await firings(server, cron.cron_id);
    expect(history.every((firing) => firing.status === 'created' && firing.lag_ms < 1000)).toBe(true);
    const hooks = await waitFor(() => {
      const matching = receiver.requests.filter((request) => request.url === '/hooks/thread');
      return matching.length >= 2 ? matching : undefined;
    }, { timeoutMs: 10_000 });
    expect(JSON.stringify(hooks[0].json)).toContain(cron.cron_id);

    await client.crons.update(cron.cron_id, { enabled: false });
    const stoppedAt = (await runsPerSlot(client, thread.thread_id)).size;
    // The scheduler goes on: a second cron firing three more slots shows it ticked past the disable.
    const sentinelThread = await client.threads.create();
    const sentinel = await client.crons.createForThread(sentinelThread.thread_id, 'agent', { schedule: EVERY_SECOND, input: INPUT });
    await waitFor(async () => (await runsPerSlot(client, sentinelThread.thread_id)).size >= 3, { timeoutMs: 8_000 });
    await client.crons.delete(sentinel.cron_id);
    expect((await runsPerSlot(client, thread.thread_id)).size).toBe(stoppedAt);
    expectContiguousOnce(await runsPerSlot(client, thread.thread_id));
  });

  it('gives stateless firings a new thread, deleted by default and kept on request; delete stops the cron', async () => {
    const deleting = await client.crons.create('agent', { schedule: EVERY_SECOND, input: INPUT });
    const keeping = await client.crons.create('agent', { schedule: EVERY_SECOND, input: INPUT, onRunCompleted: 'keep' });
    expect(keeping).toMatchObject({ on_run_completed: 'keep' });
    await waitFor(async () => (await firings(server, deleting.cron_id)).length >= 2 && (await firings(server, keeping.cron_id)).length >= 2, { timeoutMs: 8_000 });
    const deletedThreads = (await firings(server, deleting.cron_id)).map((firing) => firing.thread_id as string);
    const keptThreads = (await firings(server, keeping.cron_id)).map((firing) => firing.thread_id as string);
    await client.crons.delete(deleting.cron_id);
    await client.crons.delete(keeping.cron_id);
    expect((await http(server, 'GET', `/runs/crons/${deleting.cron_id}`)).status).toBe(404);
    expect(new Set([...deletedThreads, ...keptThreads]).size).toBe(deletedThreads.length + keptThreads.length);
    // Once their runs end: the default cron's threads are gone, the kept cron's threads stay with their run.
    await waitFor(async () => {
      const gone = await Promise.all(deletedThreads.map((id) => http(server, 'GET', `/threads/${id}`)));
      return gone.every((response) => response.status === 404);
    }, { timeoutMs: 8_000 });
    await waitFor(async () => {
      const kept = await Promise.all(keptThreads.map((id) => client.threads.get(id)));
      return kept.every((thread) => thread.status === 'idle');
    }, { timeoutMs: 8_000 });
    const keptRuns = await client.runs.list(keptThreads[0]);
    expect(keptRuns[0]).toMatchObject({ status: 'success', metadata: { cron_id: keeping.cron_id } });
    expect((await http(server, 'GET', `/runs/crons/${keeping.cron_id}/runs`)).status).toBe(404);
  });
});

describe('crons across restarts and replicas (built server, one SQLite file)', () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('loses and duplicates nothing when the server is killed and restarted mid-schedule', async () => {
    const first = await startApiServer();
    let client = new Client({ apiUrl: first.url });
    const thread = await client.threads.create();
    const cron = await client.crons.createForThread(thread.thread_id, 'agent', { schedule: EVERY_SECOND, input: INPUT });
    await waitFor(async () => (await runsPerSlot(client, thread.thread_id)).size >= 2, { timeoutMs: 8_000 });
    await first.crash();
    const second = await startApiServer({ databaseUrl: first.databaseUrl });
    servers.push(second);
    client = new Client({ apiUrl: second.url });
    const before = (await runsPerSlot(client, thread.thread_id)).size;
    await waitFor(async () => (await runsPerSlot(client, thread.thread_id)).size >= before + 3, { timeoutMs: 10_000 });
    await client.crons.delete(cron.cron_id);
    expectContiguousOnce(await runsPerSlot(client, thread.thread_id));
  });

  it('two api processes on the same SQLite file fire each scheduled time exactly once', async () => {
    const a = await startApiServer();
    servers.push(a);
    const b = await startApiServer({ databaseUrl: a.databaseUrl });
    servers.push(b);
    const client = new Client({ apiUrl: a.url });
    const threads = await Promise.all([0, 1, 2].map(() => client.threads.create()));
    const crons = await Promise.all(threads.map((t) => client.crons.createForThread(t.thread_id, 'agent', { schedule: EVERY_SECOND, input: INPUT })));
    await waitFor(async () => (await Promise.all(threads.map((thread) => runsPerSlot(client, thread.thread_id)))).every((slots) => slots.size >= 4), {
      timeoutMs: 15_000,
      message: 'four slots per cron',
    });
    await Promise.all(crons.map((cron) => client.crons.update(cron.cron_id, { enabled: false })));
    for (const thread of threads) {
      const perSlot = await runsPerSlot(client, thread.thread_id);
      expect(perSlot.size).toBeGreaterThanOrEqual(4);
      expectContiguousOnce(perSlot);
    }
  });
});
