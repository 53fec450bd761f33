import { Client } from '@langchain/langgraph-sdk';
import { inCi, type RecordingReceiver, type RunningServer, startApiServer, startRecordingReceiver, waitFor } from '@runhook/testing';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFailoverProxy, type FailoverProxy } from './support/failover-proxy';
import { createTestSchema } from './support/pg-schema';
import { deliveryOf, HUMAN, payloadOf } from './support/webhook-e2e';

/**
 * Graceful shutdown under load, with real OS processes: two servers on one database, runs with webhooks to a local
 * receiver, SIGTERM to one of them mid-load. Nothing may be lost or doubled, the attempts handed back must not count,
 * and the signalled process must exit 0 within its grace (plus a margin for closing).
 */
const GRACE_MS = 1_500;
const EXIT_MARGIN_MS = 4_000;
const RUNS = 30;
/** Deliveries to this path take longer than the grace: those in flight at the signal are handed back. */
const SLOW_MS = 4_000;
const ENV = {
  RUNHOOK_SHUTDOWN_GRACE_MS: String(GRACE_MS),
  N_JOBS_PER_WORKER: '8',
  RUN_POLL_MS: '200',
  RUN_MAX_ATTEMPTS: '1',
  WEBHOOK_POLL_MS: '200',
  WEBHOOK_TIMEOUT_MS: '10000',
  STREAM_HEARTBEAT_MS: '1000',
};

interface StoredRun {
  run_id: string;
  status: string;
  attempt: number;
  released_attempts: number;
}

interface Store {
  databaseUrl: string;
  runs(): Promise<StoredRun[]>;
  close(): Promise<void>;
}

function sqliteStore(databaseUrl: string): Store {
  return {
    databaseUrl,
    runs: async () => {
      const db = new Database(databaseUrl, { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT run_id, status, attempt, released_attempts FROM runs').all() as StoredRun[];
      } finally {
        db.close();
      }
    },
    close: async () => undefined,
  };
}

async function postgresStore(url: string): Promise<Store> {
  const schema = await createTestSchema(url, 'e2e_shutdown');
  return {
    databaseUrl: schema.url,
    runs: async () => (await schema.admin.query<StoredRun>(`SELECT run_id, status, attempt, released_attempts FROM "${schema.name}".runs`)).rows,
    close: () => schema.drop(),
  };
}

function exitOf(server: RunningServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = server.process;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  // 'close' rather than 'exit': the lines written as the process exits are read by then.
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

function describeShutdown(title: string, openStore: () => Promise<Store>): void {
  describe(title, () => {
    let store: Store;
    let receiver: RecordingReceiver;
    let proxy: FailoverProxy | undefined;
    const servers: RunningServer[] = [];

    beforeAll(async () => {
      store = await openStore();
      receiver = await startRecordingReceiver();
      receiver.respond = (request) => ({ status: 200, body: '{}', delayMs: request.url.startsWith('/slow') ? SLOW_MS : 0 });
    });

    afterAll(async () => {
      await proxy?.stop();
      await Promise.all(servers.map((server) => server.stop()));
      await receiver?.stop();
      await store?.close();
    });

    it('SIGTERM mid-load: 0 runs lost, 0 doubled, attempts not used up, 0 deliveries lost, exit 0 within the grace', async () => {
      const stopping = await startApiServer({ databaseUrl: store.databaseUrl, env: ENV });
      servers.push(stopping);
      const staying = await startApiServer({ databaseUrl: store.databaseUrl, env: ENV });
      servers.push(staying);
      // Connections go to the stopping server while it accepts them, then to the other: a load balancer's view.
      proxy = await startFailoverProxy([stopping.port, staying.port]);
      const viaProxy = new Client({ apiUrl: proxy.url });
      const clients = [new Client({ apiUrl: stopping.url }), new Client({ apiUrl: staying.url })];

      // Runs of 1.5 to 5 s on their own threads; the longer ones outlast the grace wherever they run.
      const threads = await Promise.all(Array.from({ length: RUNS }, (_, index) => clients[index % 2].threads.create()));
      const created = await Promise.all(
        threads.map(async (thread, index) => {
          const input = HUMAN(`sleep ${1_500 + ((index * 397) % 3_500)}`);
          const run = await clients[index % 2].runs.create(thread.thread_id, 'agent', { input, webhook: `${receiver.url}/hook` });
          return { threadId: thread.thread_id, runId: run.run_id };
        }),
      );
      // A client streaming a long run through the balancer: its stream is on the stopping server.
      const streamThread = await viaProxy.threads.create();
      const streamed = (async () => {
        const chunks: { event: string; data: unknown }[] = [];
        for await (const chunk of viaProxy.runs.stream(streamThread.thread_id, 'agent', {
          input: HUMAN('sleep 4000'),
          streamMode: ['values'],
          streamResumable: true,
        })) {
          chunks.push(chunk);
        }
        return chunks;
      })();
      // Runs that end at once, with deliveries slower than the grace: some are in flight at the signal.
      const quick = await Promise.all(
        Array.from({ length: 6 }, () => clients[0].runs.create(null, 'agent', { input: HUMAN('quick'), webhook: `${receiver.url}/slow` })),
      );
      // A failed wait shows what the servers printed: load on a shared machine is the usual suspect.
      const showing = (error: unknown) => {
        throw new Error(`${(error as Error).message}\n${stopping.output().slice(-3_000)}\n${staying.output().slice(-3_000)}`);
      };
      await waitFor(() => receiver.requests.some((request) => request.url.startsWith('/slow')), { timeoutMs: 15_000 }).catch(showing);
      await waitFor(async () => (await store.runs()).filter((run) => run.status === 'running').length >= 4, { timeoutMs: 15_000 }).catch(showing);

      const signalledAt = Date.now();
      const exited = exitOf(stopping);
      stopping.process.kill('SIGTERM');
      const exit = await exited;
      const drainMs = Date.now() - signalledAt;
      // eslint-disable-next-line no-control-regex
      const reported = /drained in \d+ ms: [^\n\x1b]*/.exec(stopping.output())?.[0] ?? 'no drain line';
      console.log(`${title}: SIGTERM to exit ${drainMs} ms (grace ${GRACE_MS} ms); the server said: ${reported}`);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(drainMs).toBeLessThan(GRACE_MS + EXIT_MARGIN_MS);

      const staysClient = clients[1];
      for (const { threadId, runId } of created) await staysClient.runs.join(threadId, runId);
      const stored = await waitFor(
        async () => {
          const rows = await store.runs();
          return rows.every((run) => ['success', 'error', 'interrupted'].includes(run.status)) ? rows : undefined;
        },
        { timeoutMs: 30_000, message: 'runs still not ended' },
      );
      // 0 lost: every run ended, and ended well (RUN_MAX_ATTEMPTS=1: an attempt used up by the release would be WorkerLost).
      expect(stored.filter((run) => run.status !== 'success')).toEqual([]);
      expect(stored).toHaveLength(RUNS + quick.length + 1);
      // Attempts: exactly one used per run, whatever was handed back; and the hand-back did happen under this load.
      expect(stored.filter((run) => run.attempt - run.released_attempts !== 1)).toEqual([]);
      const handedBack = stored.filter((run) => run.released_attempts > 0);
      expect(handedBack.length).toBeGreaterThan(0);
      // Each resumed from its checkpoint: the input once, the answer once (a replay would add the input twice).
      for (const { threadId } of created) {
        const state = await staysClient.threads.getState<{ messages: { content: string }[] }>(threadId);
        expect(state.values.messages).toHaveLength(2);
      }

      // 0 doubled, 0 deliveries lost: one delivery per run, succeeded, on its first counted attempt.
      const everyRun = [...created.map((run) => run.runId), ...quick.map((run) => run.run_id)];
      for (const runId of everyRun) {
        const delivery = await waitFor(async () => {
          const found = await deliveryOf(staying.url, runId);
          return found?.status === 'succeeded' ? found : undefined;
        }, { timeoutMs: 30_000, message: `delivery of run ${runId}` });
        expect(delivery.attempts).toBe(1);
        const received = receiver.requests.filter((request) => payloadOf(request)?.run_id === runId);
        expect(received.length).toBeGreaterThanOrEqual(1);
        // A request the stopping server cut may have arrived too: same webhook-id, so the receiver takes it once.
        expect(new Set(received.map((request) => request.headers['webhook-id'])).size).toBe(1);
      }
      const fastDeliveries = receiver.requests.filter((request) => request.url.startsWith('/hook'));
      expect(fastDeliveries).toHaveLength(RUNS);

      // The SSE client was told to reconnect, rejoined through the balancer on the other server, and saw the end.
      const chunks = await streamed;
      // Only the stream's reconnect (the run's status, then the stream with Last-Event-ID) used the balancer after the signal.
      expect(proxy.connections.get(staying.port) ?? 0).toBeGreaterThan(0);
      const last = chunks.filter((chunk) => chunk.event === 'values').at(-1)?.data as { messages: { content: string }[] };
      expect(last.messages.map((message) => message.content)).toEqual(['sleep 4000', 'slept 4000']);
      expect(chunks.some((chunk) => chunk.event === 'error')).toBe(false);
    }, 120_000);
  });
}

describeShutdown('graceful shutdown of one of two servers on one SQLite file', async () =>
  sqliteStore(join(mkdtempSync(join(tmpdir(), 'runhook-shutdown-')), 'store.sqlite')),
);

const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];
if (TEST_DATABASE_URL) {
  describeShutdown('graceful shutdown of one of two servers on PostgreSQL', () => postgresStore(TEST_DATABASE_URL));
} else if (inCi()) {
  it('has a PostgreSQL database for the shutdown e2e', () => {
    throw new Error('TEST_DATABASE_URL is not set in CI: start PostgreSQL with tools/scripts/ci-postgres.sh and export its URL');
  });
}

describe('graceful shutdown of one server with forked worker processes, and a second signal', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    if (server) await server.crash();
    server = undefined;
  });

  it('worker processes drain too: runs handed back with their attempt, a wait in flight answered, exit 0; a restart resumes them', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'runhook-shutdown-')), 'store.sqlite');
    const env = { RUNHOOK_SHUTDOWN_GRACE_MS: '3000', RUNHOOK_WORKER_PROCESSES: '1', N_JOBS_PER_WORKER: '2', RUN_MAX_ATTEMPTS: '1', RUN_POLL_MS: '200' };
    server = await startApiServer({ databaseUrl, env });
    const store = sqliteStore(databaseUrl);
    const client = new Client({ apiUrl: server.url });
    const threads = await Promise.all([0, 1, 2].map(() => client.threads.create()));
    const long = await Promise.all(threads.slice(0, 2).map((thread) => client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 20000') })));
    await waitFor(async () => (await store.runs()).filter((run) => run.status === 'running').length === 2, { timeoutMs: 20_000 });
    // The forked worker took at least one of them (the api process has two slots of its own, the worker two).
    const waiting = fetch(`${server.url}/threads/${threads[2].thread_id}/runs/wait`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: 'agent', input: HUMAN('sleep 1500') }),
    });
    // Its run is under way (the long ones still are: they outlast the grace).
    await waitFor(async () => (await store.runs()).filter((run) => run.status === 'running').length === 3, { timeoutMs: 30_000, intervalMs: 5 });

    const exited = exitOf(server);
    server.process.kill('SIGTERM');
    // The request in flight is answered: its run ends within the grace.
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { messages: { content: string }[] }).messages.at(-1)?.content).toBe('slept 1500');
    expect(await exited).toEqual({ code: 0, signal: null });
    const output = server.output();
    server = undefined;
    // Both processes drained, each with its own report.
    expect(output.match(/drained in \d+ ms/g)?.length).toBe(2);
    const stored = await store.runs();
    const handedBack = stored.filter((run) => long.some((created) => created.run_id === run.run_id));
    expect(handedBack.map(({ status, attempt, released_attempts }) => ({ status, attempt, released_attempts }))).toEqual([
      { status: 'pending', attempt: 1, released_attempts: 1 },
      { status: 'pending', attempt: 1, released_attempts: 1 },
    ]);

    // RUN_MAX_ATTEMPTS=1, yet they run again: the hand-back did not use the attempt up.
    server = await startApiServer({ databaseUrl, env: { ...env, RUNHOOK_WORKER_PROCESSES: '0' } });
    const again = new Client({ apiUrl: server.url });
    for (const run of long) {
      const values = (await again.runs.join(run.thread_id, run.run_id)) as { messages: { content: string }[] };
      expect(values.messages.map((message) => message.content)).toEqual(['sleep 20000', 'slept 20000']);
    }
  }, 90_000);

  it('a second SIGTERM while draining exits at once, without waiting for the grace', async () => {
    server = await startApiServer({ env: { RUNHOOK_SHUTDOWN_GRACE_MS: '60000' } });
    const client = new Client({ apiUrl: server.url });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 60000') });
    await waitFor(async () => (await client.runs.get(thread.thread_id, run.run_id)).status === 'running');
    const exited = exitOf(server);
    server.process.kill('SIGTERM');
    const running = server;
    await waitFor(() => running.output().includes('draining (grace 60000 ms)'));
    const secondAt = Date.now();
    server.process.kill('SIGTERM');
    expect(await exited).toEqual({ code: 143, signal: null });
    expect(Date.now() - secondAt).toBeLessThan(2_000);
    server = undefined;
  });
});
