import { Client } from '@langchain/langgraph-sdk';
import { type RecordingReceiver, type RunningServer, startApiServer, startRecordingReceiver, waitFor } from '@runhook/testing';
import { logLines } from './support/log-lines';
import { HUMAN } from './support/webhook-e2e';

const API_KEY = 'metrics-e2e-key-0123456789';
const TOKEN = 'receiver-token-7f3a9c';
const QUERY_SECRET = 'query-secret-51d2e8';
const SUCCESSES = 5;
const ERRORS = 2;

/** Parses the Prometheus text format into `name{labels}` → value (labels as printed, sorted by prom-client). */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

describe('metrics and logs after a scripted workload (built server, one forked worker process, API keys on)', () => {
  let server: RunningServer;
  let receiver: RecordingReceiver;
  let client: Client;
  let cronId: string;
  const runIds: string[] = [];

  async function scrape(): Promise<Map<string, number>> {
    const response = await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': API_KEY } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parseMetrics(await response.text());
  }

  beforeAll(async () => {
    receiver = await startRecordingReceiver();
    // The first attempt to /flaky is refused once, so one retry is counted.
    let flakyRefused = false;
    receiver.respond = (request) => {
      if (request.url.startsWith('/flaky') && !flakyRefused) {
        flakyRefused = true;
        return { status: 503, body: '{"busy":true}' };
      }
      return { status: 200, body: '{"ok":true}' };
    };
    server = await startApiServer({
      env: { RUNHOOK_API_KEYS: API_KEY, RUNHOOK_WORKER_PROCESSES: '1', WEBHOOK_RETRY_SCHEDULE: '0.2', LOG_LEVEL: 'info' },
      startTimeoutMs: 60_000,
    });
    await waitFor(() => server.output().includes('started without HTTP (roles: worker)'), { timeoutMs: 60_000, message: 'the worker process did not start' });
    client = new Client({ apiUrl: server.url, apiKey: API_KEY });

    const hook = (path: string) => `${receiver.url}${path}?token=${TOKEN}`;
    for (let i = 0; i < SUCCESSES; i++) {
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN(`hello ${i}`), webhook: hook(i === 0 ? '/flaky' : '/hook') });
      runIds.push(run.run_id);
    }
    for (let i = 0; i < ERRORS; i++) {
      const run = await client.runs.create(null, 'agent', { input: HUMAN('fail'), webhook: hook('/hook') });
      runIds.push(run.run_id);
    }
    const cron = await client.crons.create('agent', { schedule: '*/1 * * * * *', input: HUMAN('tick'), webhook: hook('/cron') });
    cronId = cron.cron_id;
    await waitFor(() => receiver.requests.some((request) => request.url.startsWith('/cron')), { timeoutMs: 20_000, message: 'the cron did not fire' });
    await client.crons.delete(cronId);
    // A request whose query string holds a secret: the request line must not show it.
    expect((await fetch(`${server.url}/info?token=${QUERY_SECRET}`, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
  });

  it('refuses /metrics without the API key, like every route but /ok', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  });

  it('reports exactly the runs, deliveries and firings that happened, summed over the api and worker processes', async () => {
    const created = (values: Map<string, number>) => values.get('runhook_runs_created_total') ?? 0;
    const finalDeliveries = (values: Map<string, number>) =>
      ['succeeded', 'failed', 'gone', 'refused'].reduce((sum, outcome) => sum + (values.get(`runhook_webhook_deliveries_total{outcome="${outcome}"}`) ?? 0), 0);
    // Settled: every run created has ended and its delivery has finished (the cron is deleted, so nothing new comes).
    const values = await waitFor(
      async () => {
        const current = await scrape();
        const ended = ['success', 'error', 'interrupted'].reduce((sum, status) => sum + (current.get(`runhook_runs_ended_total{status="${status}"}`) ?? 0), 0);
        const settled = created(current) > SUCCESSES + ERRORS && ended === created(current) && finalDeliveries(current) === created(current);
        return settled && current.get('runhook_runs_pending') === 0 && current.get('runhook_webhook_deliveries_due') === 0 ? current : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'the workload did not settle' },
    );
    const cronDeliveries = (await (await fetch(`${server.url}/webhooks/deliveries?cron_id=${cronId}&limit=100`, { headers: { 'x-api-key': API_KEY } })).json()) as unknown[];
    const firings = cronDeliveries.length;
    expect(firings).toBeGreaterThanOrEqual(1);

    expect(values.get('runhook_cron_firings_total')).toBe(firings);
    expect(values.get('runhook_cron_firing_lag_seconds_count')).toBe(firings);
    expect(values.get('runhook_cron_duplicate_firings_total')).toBe(0);
    expect(values.get('runhook_cron_missed_slots_total')).toBe(0);
    expect(created(values)).toBe(SUCCESSES + ERRORS + firings);
    expect(values.get('runhook_runs_started_total')).toBe(SUCCESSES + ERRORS + firings);
    expect(values.get('runhook_runs_ended_total{status="success"}')).toBe(SUCCESSES + firings);
    expect(values.get('runhook_runs_ended_total{status="error"}')).toBe(ERRORS);
    expect(values.get('runhook_run_duration_seconds_count{status="success"}')).toBe(SUCCESSES + firings);
    expect(values.get('runhook_run_duration_seconds_count{status="error"}')).toBe(ERRORS);
    expect(values.get('runhook_webhook_deliveries_total{outcome="succeeded"}')).toBe(SUCCESSES + ERRORS + firings);
    expect(values.get('runhook_webhook_deliveries_total{outcome="retry"}')).toBe(1);
    expect(values.get('runhook_webhook_attempt_duration_seconds_count')).toBe(SUCCESSES + ERRORS + firings + 1);
    expect(receiver.requests).toHaveLength(SUCCESSES + ERRORS + firings + 1);
    expect(values.get('runhook_runs_oldest_pending_age_seconds')).toBe(0);
    expect(values.get('runhook_webhook_oldest_due_age_seconds')).toBe(0);
    // Default process metrics, event-loop lag included; SQLite has no pool to report.
    expect(values.get('nodejs_eventloop_lag_seconds')).toEqual(expect.any(Number));
    expect(values.has('process_cpu_user_seconds_total')).toBe(true);
    expect([...values.keys()].some((name) => name.startsWith('runhook_db_pool'))).toBe(false);
  });

  it('logs JSON lines: one per request, and run, delivery and firing events carrying their ids; no secret appears', async () => {
    // Log lines are written in batches (up to 50 ms late, per process): the ones looked for are waited for, and once
    // they are out, so is every line before them.
    const output = await waitFor(() => {
      const text = server.output();
      const lines = logLines(text);
      const runEnds = lines.filter((line) => line.msg === 'run ended');
      for (const runId of runIds) {
        expect(runEnds).toContainEqual(expect.objectContaining({ run_id: runId, thread_id: expect.any(String), status: expect.stringMatching(/success|error/) }));
      }
      // Each run was executed by the api process or its worker, and both log in the same format.
      expect(new Set(runEnds.map((line) => line['pid'])).size).toBeGreaterThanOrEqual(1);
      expect(lines).toContainEqual(expect.objectContaining({ msg: 'cron fired', cron_id: cronId, run_id: expect.any(String), thread_id: expect.any(String) }));
      expect(runEnds).toContainEqual(expect.objectContaining({ cron_id: cronId, status: 'success' }));
      const attempts = lines.filter((line) => line.msg === 'webhook attempt');
      expect(attempts).toContainEqual(expect.objectContaining({ delivery_id: expect.any(String), run_id: runIds[0], outcome: 'retry', status_code: 503 }));
      expect(attempts).toContainEqual(expect.objectContaining({ run_id: runIds[0], outcome: 'succeeded', attempt: 2 }));
      expect(attempts).toContainEqual(expect.objectContaining({ cron_id: cronId, outcome: 'succeeded' }));

      const requests = lines.filter((line) => line.msg === 'request');
      expect(requests).toContainEqual(expect.objectContaining({ method: 'POST', path: '/runs/crons', status: 200, duration_ms: expect.any(Number) }));
      expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', path: '/info', route: '/info', status: 200 }));
      expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', path: '/metrics', status: 401 }));
      return text;
    });

    for (const secret of [TOKEN, QUERY_SECRET, API_KEY]) expect(output).not.toContain(secret);
  });
});
