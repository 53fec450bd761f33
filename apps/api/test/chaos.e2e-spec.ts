import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startReceiverApp, waitFor } from '@runhook/testing';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { type EndpointMode, type FaultyEndpoint, startFaultyEndpoint } from './support/faulty-endpoint';
import { describeWithPrivatePostgres, type PrivatePostgres, startPrivatePostgres } from './support/private-postgres';
import { ProcessFleet, seededRandom } from './support/process-fleet';
import { HUMAN, newSecret, sleep } from './support/webhook-e2e';

/**
 * N runs with webhooks while worker processes are killed with -9 at random moments, the receiving endpoint
 * answers 500, hangs and refuses connections for a while, and (on PostgreSQL) the database restarts. Every run
 * must end once, every webhook arrive under one webhook-id, the real receiver keep exactly N after its dedupe,
 * and no process exit but those killed. CHAOS_SEED replays a run; CHAOS_RUNS changes N.
 */
const RUNS = Number(process.env['CHAOS_RUNS'] ?? 60);
const SEED = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const WORKERS = 3;
const CHAOS_MS = 12_000;
const FAULTS = ['error', 'hang', 'refuse'] as const satisfies EndpointMode[];
/** How the sender recorded an attempt that met each fault. */
const FAULT_ERRORS: Record<(typeof FAULTS)[number], (status: number | null, error: string | null) => boolean> = {
  error: (status) => status === 500,
  hang: (_status, error) => /timed out/i.test(error ?? ''),
  refuse: (_status, error) => /ECONNREFUSED|refused/i.test(error ?? ''),
};
const SECRET = newSecret();
const TOKEN = 'chaos-receiver-token';

const ENV = {
  RUN_LEASE_MS: '1500',
  RUN_MAX_ATTEMPTS: '10',
  RUN_POLL_MS: '250',
  WEBHOOK_SIGNING_SECRETS: SECRET,
  WEBHOOK_RETRY_SCHEDULE: '0.3,0.5,1,1,1.5,2,2,3,3',
  WEBHOOK_CONNECT_TIMEOUT_MS: '500',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_LEASE_MS: '5000',
  WEBHOOK_POLL_MS: '250',
};

interface LoggedDelivery {
  delivery_id: string;
  webhook_id: string;
  status: string;
  attempts: number;
}

interface Received {
  webhook_id: string;
  run_id: string;
  verified: boolean | null;
  duplicates: number;
}

interface ChaosFigures {
  database: string;
  seed: number;
  runs: number;
  kills: number;
  databaseRestarts: number;
  runAttempts: number;
  webhookRequests: number;
  /** Recorded attempts answered 500, timed out (left hanging), and refused. */
  faultsMet: Record<string, number>;
  deliveryAttempts: number;
  duplicatesDropped: number;
  endedWithError: number;
  /** From the first run created to the receiver holding all N. */
  receivedAllMs: number;
  /** From the first run created to every delivery recorded as succeeded. */
  drainMs: number;
}

/** Sum of the runs' execution attempts (1 each without faults), read from the store itself. */
async function runAttempts(databaseUrl: string, runIds: string[]): Promise<number> {
  if (databaseUrl.startsWith('postgres')) {
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const { rows } = await pool.query<{ n: number }>('SELECT COALESCE(SUM(attempt), 0)::int AS n FROM runs WHERE run_id = ANY($1::text[])', [runIds]);
      return rows[0].n;
    } finally {
      await pool.end();
    }
  }
  const db = new Database(databaseUrl, { readonly: true, fileMustExist: true });
  try {
    const placeholders = runIds.map(() => '?').join(',');
    return (db.prepare(`SELECT COALESCE(SUM(attempt), 0) AS n FROM runs WHERE run_id IN (${placeholders})`).get(...runIds) as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * The receiver's faults, one window after another once webhooks flow: each lasts 1.5 to 3 s and at least until
 * one request met it, between stretches of normal answers. A batch of runs is created as each window opens, so its
 * webhooks meet the fault however fast the machine finishes the runs before it.
 */
async function flakyReceiver(endpoint: FaultyEndpoint, apiUrl: string, random: () => number, createRuns: () => Promise<void>): Promise<void> {
  await waitFor(() => endpoint.arrived.length > 0, { timeoutMs: 120_000, message: 'a first webhook' });
  for (const fault of FAULTS) {
    await sleep(300 + random() * 700);
    await endpoint.setMode(fault);
    await createRuns();
    await sleep(1_500 + random() * 1_500);
    const met = async () => {
      if (fault === 'error') return endpoint.arrived.some((arrival) => arrival.mode === fault);
      // A refused connection never reaches the endpoint, and a hanging one counts once the sender gave up on it
      // (one answered when the window closes is a success): the sender's log says it happened.
      const pending = (await (await fetch(`${apiUrl}/webhooks/deliveries?status=pending&limit=100`)).json()) as { last_error: string | null }[];
      return pending.some((delivery) => FAULT_ERRORS[fault](null, delivery.last_error));
    };
    await waitFor(met, { timeoutMs: 60_000, intervalMs: 100, message: `a webhook that met the receiver's ${fault}` });
    await endpoint.setMode('pass');
  }
}

/**
 * kill -9 of a random worker every 0.6 to 2 s, each replaced by a new process, while `going()`. One worker is
 * always left, so the runs progress while replacements start (slowly, on a loaded machine).
 */
async function killWorkers(fleet: ProcessFleet, random: () => number, going: () => boolean, start: () => Promise<RunningServer>): Promise<void> {
  const replacements: Promise<RunningServer>[] = [];
  while (going()) {
    await sleep(600 + random() * 1_400);
    const workers = fleet.alive('worker');
    if (workers.length < 2) continue;
    await fleet.kill(workers[Math.floor(random() * workers.length)]);
    replacements.push(start());
  }
  await Promise.all(replacements);
}

async function chaos(database: string, databaseUrl: string, restartDatabase?: () => Promise<void>): Promise<ChaosFigures> {
  const random = seededRandom(SEED);
  const fleet = new ProcessFleet();
  const receiver = await startReceiverApp({ env: { RECEIVER_TOKEN: TOKEN, RECEIVER_SIGNING_SECRETS: SECRET } });
  const endpoint = await startFaultyEndpoint(receiver.url);
  try {
    const api = await fleet.start('api', { databaseUrl, env: { ...ENV, RUNHOOK_ROLES: 'api' } });
    const startWorker = () => fleet.start('worker', { databaseUrl, env: { ...ENV, RUNHOOK_ROLES: 'api,worker' } });
    await Promise.all(Array.from({ length: WORKERS }, startWorker));
    const client = new Client({ apiUrl: api.url });
    const webhook = `${endpoint.url}/webhooks?token=${TOKEN}`;

    const started = Date.now();
    let runsCreatedAt = Number.POSITIVE_INFINITY;
    // Kills go on while runs are created and for CHAOS_MS after.
    const killing = killWorkers(fleet, random, () => Date.now() < runsCreatedAt + CHAOS_MS, startWorker);
    // Runs are created a batch of 10 at a time, each sleeping 0.3 to 1.5 s in its graph: the first ones while the
    // kills begin, one batch as each of the receiver's fault windows opens.
    const runs: { thread_id: string; run_id: string }[] = [];
    const createRuns = async () => {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, RUNS - runs.length) }, async () => {
          const thread = await client.threads.create();
          return client.runs.create(thread.thread_id, 'agent', { input: HUMAN(`sleep ${300 + Math.floor(random() * 1_200)}`), webhook });
        }),
      );
      runs.push(...batch);
    };
    const windowRuns = 10 * FAULTS.length;
    while (runs.length < RUNS - windowRuns) await createRuns();
    await flakyReceiver(endpoint, api.url, random, createRuns);
    while (runs.length < RUNS) await createRuns();
    runsCreatedAt = Date.now();
    // The database restarts once every run is accepted, while they execute and deliver (clients creating runs
    // during the restart would get 5xx answers, which is not what this test checks).
    let databaseRestarts = 0;
    if (restartDatabase) {
      await sleep(500 + random() * 2_000);
      await restartDatabase();
      databaseRestarts++;
    }
    await killing;

    const received = async () => (await (await fetch(`${receiver.url}/deliveries?limit=1000`)).json()) as Received[];
    await waitFor(async () => (await received()).length >= RUNS, { timeoutMs: 90_000, intervalMs: 250, message: `${RUNS} deliveries at the receiver` });
    const receivedAllMs = Date.now() - started;
    // Every delivery row finished: nothing is still on its way that could arrive as a second webhook-id.
    const logged = new Map<string, LoggedDelivery[]>();
    await waitFor(
      async () => {
        for (const run of runs) {
          const rows = (await (await fetch(`${api.url}/webhooks/deliveries?run_id=${run.run_id}`)).json()) as LoggedDelivery[];
          logged.set(run.run_id, rows);
        }
        return [...logged.values()].every((rows) => rows.every((row) => row.status === 'succeeded'));
      },
      // An attempt that timed out is retried no sooner than 60 s later (the sender's overload penalty).
      { timeoutMs: 120_000, intervalMs: 1_000, message: 'every delivery succeeded' },
    ).catch((error: Error) => {
      const unfinished = [...logged].filter(([, rows]) => rows.length !== 1 || rows[0].status !== 'succeeded');
      throw new Error(`${error.message}: ${JSON.stringify(unfinished)}`);
    });
    const drainMs = Date.now() - started;

    const statuses = await Promise.all(runs.map((run) => client.runs.get(run.thread_id, run.run_id).then((found) => found.status)));
    expect(statuses.filter((status) => status !== 'success' && status !== 'error')).toEqual([]);
    for (const run of runs) {
      // One run end wrote one delivery row: a stale worker's end enqueued nothing.
      const rows = logged.get(run.run_id) ?? [];
      expect(rows).toHaveLength(1);
      const ids = new Set(endpoint.arrived.filter((arrival) => arrival.runId === run.run_id).map((arrival) => arrival.webhookId));
      expect([...ids]).toEqual([rows[0].webhook_id]);
    }
    const kept = await received();
    expect(kept).toHaveLength(RUNS);
    expect(new Set(kept.map((delivery) => delivery.run_id))).toEqual(new Set(runs.map((run) => run.run_id)));
    expect(kept.every((delivery) => delivery.verified === true)).toBe(true);
    const attemptsLog = (
      await Promise.all(
        runs.map(async (run) => {
          const detail = (await (await fetch(`${api.url}/webhooks/deliveries/${logged.get(run.run_id)?.[0].delivery_id}`)).json()) as {
            attempts_log: { status_code: number | null; error: string | null }[];
          };
          return detail.attempts_log;
        }),
      )
    ).flat();
    const faultsMet = Object.fromEntries(
      FAULTS.map((fault) => [fault, attemptsLog.filter((attempt) => FAULT_ERRORS[fault](attempt.status_code, attempt.error)).length]),
    );
    for (const fault of FAULTS) expect(faultsMet[fault]).toBeGreaterThan(0);
    expect(fleet.unexpectedExits).toEqual([]);
    expect(await fleet.allServing()).toBe(true);

    const figures: ChaosFigures = {
      database,
      seed: SEED,
      runs: RUNS,
      kills: fleet.kills,
      databaseRestarts,
      runAttempts: await runAttempts(databaseUrl, runs.map((run) => run.run_id)),
      webhookRequests: endpoint.arrived.length,
      faultsMet,
      deliveryAttempts: [...logged.values()].reduce((sum, rows) => sum + rows[0].attempts, 0),
      duplicatesDropped: kept.reduce((sum, delivery) => sum + delivery.duplicates, 0),
      endedWithError: statuses.filter((status) => status === 'error').length,
      receivedAllMs,
      drainMs,
    };
    process.stdout.write(`chaos figures: ${JSON.stringify(figures)}\n`);
    return figures;
  } catch (error) {
    process.stderr.write(`chaos failed with seed ${SEED} (replay with CHAOS_SEED=${SEED})\n${fleet.outputs()}\n`);
    throw error;
  } finally {
    await fleet.stopAll();
    await endpoint.stop();
    await receiver.stop();
  }
}

describe('chaos: kill -9 of workers and a flaky receiver, on SQLite', () => {
  it(`ends ${RUNS} runs once each and delivers each webhook under one id`, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'runhook-chaos-')), 'store.sqlite');
    const figures = await chaos('sqlite', file);
    expect(figures.kills).toBeGreaterThan(0);
  }, 300_000);
});

describeWithPrivatePostgres('chaos: kill -9 of workers, a flaky receiver and a database restart, on PostgreSQL', (bin) => {
  let postgres: PrivatePostgres | undefined;

  afterAll(async () => {
    await postgres?.stop();
  });

  it(`ends ${RUNS} runs once each and delivers each webhook under one id`, async () => {
    postgres = await startPrivatePostgres(bin);
    const cluster = postgres;
    const figures = await chaos('postgres', cluster.url, () => cluster.restart());
    expect(figures.kills).toBeGreaterThan(0);
    expect(figures.databaseRestarts).toBe(1);
  }, 300_000);
});
