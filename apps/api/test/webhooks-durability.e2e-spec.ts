import { Client } from '@langchain/langgraph-sdk';
import { REPO_ROOT, type RecordingReceiver, type RunningServer, startApiServer, startRecordingReceiver, waitFor } from '@runhook/testing';
import { deliveredExactly, deliveryOf, HUMAN, langgraphConfigWith, newSecret, payloadOf, requestsForRun } from './support/webhook-e2e';

const ENV = {
  WEBHOOK_SIGNING_SECRETS: newSecret(),
  WEBHOOK_RETRY_SCHEDULE: '0.3,0.5,1,1,1,1,1,1,1,1',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_LEASE_MS: '2500',
  WEBHOOK_POLL_MS: '200',
};

describe('webhook deliveries survive receivers that are down and servers that are killed', () => {
  let server: RunningServer;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    receiver = await startRecordingReceiver();
    server = await startApiServer({ env: ENV });
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
  });

  it('a receiver down for a while gets every delivery once it is back', async () => {
    const port = receiver.port;
    await receiver.stop();
    const client = new Client({ apiUrl: server.url });
    const runs = await client.runs.createBatch([1, 2, 3].map((n) => ({ assistantId: 'agent', input: HUMAN(`down ${n}`), webhook: `http://127.0.0.1:${port}/hook` })));
    await waitFor(async () => (await deliveryOf(server.url, runs[2].run_id))?.attempts >= 2, { timeoutMs: 10_000 });

    receiver = await startRecordingReceiver(port);
    // Attempts while it was down never arrived; once back, each run arrives exactly once.
    for (const run of runs) await deliveredExactly(receiver, server.url, run.run_id, 1, 20_000);
    for (const run of runs) expect((await deliveryOf(server.url, run.run_id)).status).toBe('succeeded');
    expect(receiver.requests).toHaveLength(3);
  });

  it('kill -9 while a delivery is in flight: the restarted server sends it again, same webhook-id', async () => {
    receiver.respond = (request) => (request.url === '/slow' ? { status: 200, delayMs: 10_000 } : { status: 200 });
    const client = new Client({ apiUrl: server.url });
    const run = await client.runs.create(null, 'agent', { input: HUMAN('in flight'), webhook: `${receiver.url}/slow` });
    const [first] = await requestsForRun(receiver, run.run_id);

    await server.crash();
    receiver.respond = () => ({ status: 200 });
    server = await startApiServer({ env: ENV, databaseUrl: server.databaseUrl });

    // The one cut off by the crash, and the one sent again after the restart: exactly two.
    const [, again] = await deliveredExactly(receiver, server.url, run.run_id, 2, 20_000);
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect((await deliveryOf(server.url, run.run_id)).status).toBe('succeeded');
  });

  it('kill -9 while the receiver answers 503: nothing is lost after restart', async () => {
    receiver.respond = () => ({ status: 503 });
    const client = new Client({ apiUrl: server.url });
    const runs = await client.runs.createBatch([1, 2, 3, 4].map((n) => ({ assistantId: 'agent', input: HUMAN(`crash ${n}`), webhook: `${receiver.url}/flaky` })));
    await requestsForRun(receiver, runs[3].run_id);

    await server.crash();
    const beforeRestart = receiver.requests.length;
    receiver.respond = () => ({ status: 200 });
    server = await startApiServer({ env: ENV, databaseUrl: server.databaseUrl });

    for (const run of runs) await waitFor(async () => (await deliveryOf(server.url, run.run_id)).status === 'succeeded', { timeoutMs: 20_000 });
    for (const run of runs) {
      const all = receiver.requests.filter((request) => payloadOf(request).run_id === run.run_id);
      expect(new Set(all.map((request) => request.headers['webhook-id'])).size).toBe(1);
      // After the restart every run is answered 200 at its first attempt: exactly one request each.
      expect(receiver.requests.slice(beforeRestart).filter((request) => payloadOf(request).run_id === run.run_id)).toHaveLength(1);
    }
  });
});

describe('SSRF attempts are refused at request time with the policy on', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: langgraphConfigWith({}, REPO_ROOT) });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['http://127.0.0.1:9/hook', /loopback/],
    ['http://169.254.169.254/latest/meta-data/', /link-local or cloud metadata/],
    ['http://10.0.0.1/hook', /private/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://localhost/', /loopback/],
    ['/relative/hook', /must be absolute/],
  ])('%s → 422', async (webhook, reason) => {
    for (const path of ['/runs', '/runs/wait', '/runs/stream']) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: 'agent', input: HUMAN('x'), webhook }),
      });
      expect(response.status).toBe(422);
      expect(((await response.json()) as { detail: string }).detail).toMatch(reason);
    }
    const client = new Client({ apiUrl: server.url });
    const thread = await client.threads.create();
    await expect(client.runs.create(thread.thread_id, 'agent', { input: HUMAN('x'), webhook })).rejects.toMatchObject({ status: 422 });
  });
});
