import { Client } from '@langchain/langgraph-sdk';
import { type RecordingReceiver, startRecordingReceiver, waitFor } from '@runhook/testing';
import { describeWithPrivatePostgres, type PrivatePostgres, startPrivatePostgres } from './support/private-postgres';
import { ProcessFleet } from './support/process-fleet';
import { HUMAN, payloadOf, sleep } from './support/webhook-e2e';

/**
 * `pg_ctl restart -m fast` of the database under load (runs being created, waited on, executed and delivered)
 * and with one replica idle: every connection is cut with 57P01. No process may exit, every accepted run must end,
 * every run's webhook must arrive under one webhook-id, and a client caught by the restart gets a 503 with a detail.
 */
const ENV = {
  RUN_LEASE_MS: '2000',
  RUN_POLL_MS: '250',
  WEBHOOK_RETRY_SCHEDULE: '0.2,0.5,1,1,2,2,3,3,3',
  WEBHOOK_POLL_MS: '250',
};

interface Accepted {
  thread_id: string;
  run_id: string;
}

describeWithPrivatePostgres('a PostgreSQL restart under load (private cluster)', (bin) => {
  let postgres: PrivatePostgres | undefined;
  let receiver: RecordingReceiver | undefined;
  const fleet = new ProcessFleet();

  afterAll(async () => {
    await fleet.stopAll();
    await receiver?.stop();
    await postgres?.stop();
  });

  it('keeps every process up, ends every accepted run and makes every delivery', async () => {
    postgres = await startPrivatePostgres(bin);
    receiver = await startRecordingReceiver();
    const url = postgres.url;
    const first = await fleet.start('replica', { databaseUrl: url, env: ENV });
    await Promise.all([
      fleet.start('replica', { databaseUrl: url, env: ENV }),
      // Idle through the restart: it only holds its pool and its LISTEN connection.
      fleet.start('idle', { databaseUrl: url, env: { ...ENV, RUNHOOK_ROLES: 'api' } }),
    ]);
    const client = new Client({ apiUrl: first.url });
    const webhook = `${receiver.url}/hook`;

    const accepted: Accepted[] = [];
    const refusals: { status: number; body: string }[] = [];
    let loading = true;
    /** One client creating runs back to back with raw HTTP, so every answer's status and body are seen. */
    const load = async () => {
      while (loading) {
        const thread = await fetch(`${first.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        if (!thread.ok) {
          refusals.push({ status: thread.status, body: await thread.text() });
          await sleep(100);
          continue;
        }
        const { thread_id } = (await thread.json()) as { thread_id: string };
        const run = await fetch(`${first.url}/threads/${thread_id}/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ assistant_id: 'agent', input: HUMAN('sleep 200'), webhook }),
        });
        if (run.ok) accepted.push((await run.json()) as Accepted);
        else refusals.push({ status: run.status, body: await run.text() });
      }
    };
    const loaders = [load(), load(), load()];
    // Clients waiting on long runs across the restart.
    const waiting = await Promise.all([0, 1, 2].map(() => client.threads.create()));
    const waits = waiting.map((thread) =>
      client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('sleep 3000'), webhook }).then(
        () => 'answered',
        (error: Error) => `failed: ${error.message}`,
      ),
    );
    await waitFor(() => accepted.length >= 10, { timeoutMs: 60_000, message: 'runs accepted before the restart' });
    const restartStarted = Date.now();
    await postgres.restart();
    const restartMs = Date.now() - restartStarted;
    await sleep(2_000);
    loading = false;
    await Promise.all(loaders);
    const waitOutcomes = await Promise.all(waits);
    for (const thread of waiting) accepted.push(...(await client.runs.list(thread.thread_id)));

    // No run stuck, none failed by the restart: a run whose checkpoints hit it is resumed by its next attempt.
    const statuses = await waitFor(
      async () => {
        const found = await Promise.all(accepted.map((run) => client.runs.get(run.thread_id, run.run_id)));
        return found.every((run) => ['success', 'error'].includes(run.status)) ? found.map((run) => run.status) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'every accepted run ended' },
    );
    expect(statuses.filter((status) => status !== 'success')).toEqual([]);
    // Every delivery made, each run's under one webhook-id.
    await waitFor(
      () => accepted.every((run) => receiver?.requests.some((request) => payloadOf(request)?.run_id === run.run_id)),
      { timeoutMs: 60_000, intervalMs: 250, message: 'a delivery for every run' },
    );
    for (const run of accepted) {
      const ids = new Set(receiver.requests.filter((request) => payloadOf(request)?.run_id === run.run_id).map((request) => request.headers['webhook-id']));
      expect(ids.size).toBe(1);
    }
    // A client caught by the restart got a clear answer, never a bare 500.
    for (const refusal of refusals) {
      expect(refusal.status).toBe(503);
      expect(JSON.parse(refusal.body)).toEqual({ detail: expect.any(String) });
    }
    expect(waitOutcomes.filter((outcome) => outcome !== 'answered')).toEqual([]);
    expect(fleet.unexpectedExits).toEqual([]);
    expect(await fleet.allServing()).toBe(true);
    // Each replica serves again after the restart, the idle one included.
    for (const server of fleet.alive()) expect((await fetch(`${server.url}/ok?check_db=1`)).status).toBe(200);
    process.stdout.write(
      `postgres restart figures: ${JSON.stringify({
        accepted: accepted.length,
        endedWithError: statuses.filter((status) => status === 'error').length,
        refused503: refusals.length,
        webhookRequests: receiver.requests.length,
        restartMs,
      })}\n`,
    );
  }, 240_000);
});
