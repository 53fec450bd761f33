import { Client } from '@langchain/langgraph-sdk';
import { freePort, REPO_ROOT, type RunningServer, startApiServer, waitFor } from '@runhook/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FIXTURE = join(__dirname, 'fixtures/custom-routes');
const HUMAN = { messages: [{ role: 'human', content: 'hello there' }] };
const TOKEN_TARGET = '/custom/webhook?token=abc%2Fdef%3D&x=1';

/** The fixture's langgraph.json with its paths made absolute and its `http` section changed. */
function variant(http: Record<string, unknown>, webhooks?: Record<string, unknown>): string {
  const base = JSON.parse(readFileSync(join(FIXTURE, 'langgraph.json'), 'utf8'));
  const graphs = Object.fromEntries(Object.entries(base.graphs as Record<string, string>).map(([id, spec]) => [id, join(FIXTURE, spec)]));
  const path = join(mkdtempSync(join(tmpdir(), 'runhook-custom-routes-')), 'langgraph.json');
  const { cors: _cors, ...rest } = base.http;
  writeFileSync(path, JSON.stringify({ graphs, http: { ...rest, app: join(FIXTURE, 'app.ts:app'), ...http }, webhooks: webhooks ?? base.webhooks }));
  return path;
}

async function json(response: Response): Promise<unknown> {
  return JSON.parse(await response.text());
}

async function receivedBy(server: RunningServer, runId: string): Promise<{ target: string; body: { run_id: string; status: string } }> {
  return waitFor(
    async () => {
      const all = (await json(await fetch(`${server.url}/custom/webhooks-received`))) as Array<{ target: string; body: { run_id: string; status: string } }>;
      return all.find((entry) => entry.body.run_id === runId);
    },
    { timeoutMs: 20_000, intervalMs: 50, message: `the relative webhook of run ${runId} never reached the custom route` },
  );
}

/** A server the shared launcher cannot watch (no HTTP, or not at /ok): it is watched through its output. */
function startWorkerReplica(env: Record<string, string>): { child: ChildProcess; output: () => string; exitCode: Promise<number | null> } {
  let log = '';
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/apps/api/main.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', RUNHOOK_CONFIG: join(FIXTURE, 'langgraph.json'), RUNHOOK_ROLES: 'worker', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  // 'close' rather than 'exit': what the process wrote as it exited has been read by then.
  const exitCode = new Promise<number | null>((resolveExit) => child.once('close', (code) => resolveExit(code)));
  return { child, output: () => log, exitCode };
}

describe('custom routes: the http section of langgraph.json (built server, Hono app, official SDK)', () => {
  describe('with http.app and a CORS policy', () => {
    let server: RunningServer;
    let client: Client;

    beforeAll(async () => {
      server = await startApiServer({ langgraphConfig: join(FIXTURE, 'langgraph.json') });
      client = new Client({ apiUrl: server.url });
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('serves the custom routes, with the middleware header and streamed bodies', async () => {
      const hello = await fetch(`${server.url}/custom/hello?a=1`, { headers: { 'x-custom-input': 'hey' } });
      expect(hello.status).toBe(200);
      expect(await json(hello)).toEqual({ hello: 'world' });
      expect(hello.headers.get('x-custom-output')).toBe('hey');
      expect(hello.headers.get('x-custom-middleware')).toBe('true');

      const streamed = await fetch(`${server.url}/custom/streaming`);
      expect(await streamed.text()).toBe('count 0\ncount 1\ncount 2\n');
    });

    it('answers with the custom route where it shadows a Runhook route', async () => {
      const info = await fetch(`${server.url}/info`);

      expect(await json(info)).toEqual({ served_by: 'custom-app' });
    });

    it('falls through to Runhook where the app has no route, despite the app defining its own notFound', async () => {
      const thread = await client.threads.create({ metadata: { via: 'sdk' } });
      const fetched = await fetch(`${server.url}/threads/${thread.thread_id}`);
      expect(fetched.status).toBe(200);
      expect(await json(fetched)).toMatchObject({ thread_id: thread.thread_id, metadata: { via: 'sdk' } });
      // The app's middleware wraps Runhook's routes too, and may answer for them.
      expect(fetched.headers.get('x-custom-middleware')).toBe('true');
      expect(await json(await fetch(`${server.url}/threads/${thread.thread_id}?intercept`))).toEqual({ intercepted: true });

      const unknown = await fetch(`${server.url}/does/not/exist`);
      expect(unknown.status).toBe(404);
      expect(await json(unknown)).not.toEqual({ status: 'custom-not-found' });
    });

    it('hands the request body the middleware changed to Runhook (the reference\'s "mutate request body")', async () => {
      const withHeader = new Client({ apiUrl: server.url, defaultHeaders: { 'x-configurable-header': 'extra-client' } });
      const thread = await withHeader.threads.create();

      const values = await withHeader.runs.wait(thread.thread_id, 'configurable_echo', { input: {} });
      const stateless = await withHeader.runs.wait(null, 'configurable_echo', { input: {} });
      const untouched = await client.runs.wait(null, 'configurable_echo', { input: {} });

      expect(values).toEqual({ seen: 'extra-client' });
      expect(stateless).toEqual({ seen: 'extra-client' });
      expect(untouched).toEqual({ seen: 'none' });
    });

    it('streams Runhook SSE answers through the bridge, with the middleware headers', async () => {
      const response = await fetch(`${server.url}/runs/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-configurable-header': 'streamed' },
        body: JSON.stringify({ assistant_id: 'agent', input: HUMAN, stream_mode: ['values'] }),
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('x-custom-middleware')).toBe('true');
      const events = await response.text();
      expect(events).toMatch(/^event: metadata\r?\n/);
      expect(events).toContain('echo: hello there');
    });

    it('answers CORS preflights with the configured policy, for custom and Runhook routes alike', async () => {
      for (const path of ['/threads', '/custom/hello']) {
        const preflight = await fetch(`${server.url}${path}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
        expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
        expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
        expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-api-key');
        expect(preflight.headers.get('access-control-max-age')).toBe('600');
      }
      const stranger = await fetch(`${server.url}/threads`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

      const actual = await fetch(`${server.url}/threads/search`, { method: 'POST', headers: { origin: 'https://app.example.com', 'content-type': 'application/json' }, body: '{}' });
      const exposed = (actual.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',');
      expect(exposed).toEqual(expect.arrayContaining(['x-custom-output', 'content-location', 'x-pagination-total']));
    });

    it('delivers a relative webhook to the custom route, its token intact', async () => {
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN, webhook: TOKEN_TARGET });

      const received = await receivedBy(server, run.run_id);

      expect(received.target).toBe(TOKEN_TARGET);
      expect(received.body.status).toBe('success');
    });
  });

  describe('with route groups switched off', () => {
    let offA: RunningServer;
    let offB: RunningServer;

    beforeAll(async () => {
      [offA, offB] = await Promise.all([
        startApiServer({
          langgraphConfig: variant({ disable_assistants: true, disable_threads: true, disable_meta: true }, { url: { disable_loopback: true } }),
        }),
        startApiServer({ langgraphConfig: variant({ disable_runs: true, disable_store: true }) }),
      ]);
    });

    afterAll(async () => {
      await Promise.all([offA?.stop(), offB?.stop()]);
    });

    async function status(server: RunningServer, method: string, path: string, body?: unknown): Promise<number> {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await response.arrayBuffer();
      return response.status;
    }

    it('answers 404 for assistants, threads and meta while runs keep working', async () => {
      expect(await status(offA, 'POST', '/assistants/search', {})).toBe(404);
      expect(await status(offA, 'GET', '/assistants/agent')).toBe(404);
      expect(await status(offA, 'POST', '/threads', {})).toBe(404);
      expect(await status(offA, 'POST', '/threads/search', {})).toBe(404);
      expect(await status(offA, 'GET', '/openapi.json')).toBe(404);
      expect(await status(offA, 'GET', '/docs')).toBe(404);
      // Health stays up, and skips its database check as on the Platform.
      expect(await json(await fetch(`${offA.url}/ok?check_db=1`))).toEqual({ ok: true });
      // The custom app's GET /info still answers: only Runhook's own routes are switched off.
      expect(await json(await fetch(`${offA.url}/info`))).toEqual({ served_by: 'custom-app' });

      const client = new Client({ apiUrl: offA.url });
      expect(await client.runs.wait(null, 'agent', { input: HUMAN })).toMatchObject({ messages: expect.any(Array) });
    });

    it('answers 404 for runs and the store while assistants, threads and meta keep working', async () => {
      const client = new Client({ apiUrl: offB.url });
      const thread = await client.threads.create();

      expect(await status(offB, 'POST', '/runs/wait', { assistant_id: 'agent', input: HUMAN })).toBe(404);
      expect(await status(offB, 'POST', `/threads/${thread.thread_id}/runs`, { assistant_id: 'agent', input: HUMAN })).toBe(404);
      expect(await status(offB, 'POST', '/runs/crons/search', {})).toBe(404);
      expect(await status(offB, 'PUT', '/store/items', { namespace: ['a'], key: 'k', value: {} })).toBe(404);
      expect(await json(await fetch(`${offB.url}/runs/afakeroute`))).toEqual({ foo: 'afakeroute' });

      expect((await client.threads.get(thread.thread_id)).thread_id).toBe(thread.thread_id);
      expect(await client.assistants.search({ graphId: 'agent' })).toHaveLength(1);
      expect(await status(offB, 'GET', '/openapi.json')).toBe(200);
    });

    it('refuses relative webhook URLs with 422 when the policy disables loopback', async () => {
      const response = await fetch(`${offA.url}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: 'agent', input: HUMAN, webhook: TOKEN_TARGET }),
      });

      expect(response.status).toBe(422);
      expect(await json(response)).toEqual({ detail: expect.stringMatching(/relative URLs .*disable_loopback/) });
    });

    it('answers preflights with the default open policy when no cors section is given', async () => {
      const preflight = await fetch(`${offB.url}/threads`, { method: 'OPTIONS', headers: { origin: 'https://any.example', 'access-control-request-method': 'POST' } });

      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    });
  });

  describe('with a worker replica that serves no HTTP', () => {
    let api: RunningServer | undefined;
    let worker: ReturnType<typeof startWorkerReplica> | undefined;

    afterAll(async () => {
      worker?.child.kill('SIGTERM');
      await worker?.exitCode;
      await api?.stop();
    });

    it('refuses to start without RUNHOOK_SELF_URL while relative webhook URLs are allowed', async () => {
      const unreachable = startWorkerReplica({ DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'runhook-worker-')), 'store.sqlite') });

      expect(await unreachable.exitCode).toBe(1);
      expect(unreachable.output()).toContain('RUNHOOK_SELF_URL must be set on a worker replica without the api role');
    });

    it('delivers relative webhooks of the runs it executes to the api replica named by RUNHOOK_SELF_URL', async () => {
      api = await startApiServer({ langgraphConfig: join(FIXTURE, 'langgraph.json'), env: { RUNHOOK_ROLES: 'api' } });
      worker = startWorkerReplica({ DATABASE_URL: api.databaseUrl, RUNHOOK_SELF_URL: api.url, RUN_POLL_MS: '100', WEBHOOK_POLL_MS: '100' });
      const client = new Client({ apiUrl: api.url });

      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN, webhook: TOKEN_TARGET });
      const received = await receivedBy(api, run.run_id);

      expect(received.target).toBe(TOKEN_TARGET);
      expect(received.body.status).toBe('success');
      await waitFor(() => worker?.output().includes('started without HTTP'), { message: 'the worker did not log its start' });
    });
  });

  describe('under http.mount_prefix', () => {
    let prefixed: ReturnType<typeof startWorkerReplica> | undefined;

    afterAll(async () => {
      prefixed?.child.kill('SIGTERM');
      await prefixed?.exitCode;
    });

    it('serves every route, custom ones included, under the prefix only, and sends relative webhooks there', async () => {
      const port = String(await freePort());
      const base = `http://127.0.0.1:${port}`;
      prefixed = startWorkerReplica({
        RUNHOOK_ROLES: 'api,worker',
        PORT: port,
        DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'runhook-prefix-')), 'store.sqlite'),
        RUNHOOK_CONFIG: variant({ mount_prefix: '/api/' }),
      });
      await waitFor(async () => (await fetch(`${base}/api/ok`).catch(() => null))?.ok, { timeoutMs: 30_000, intervalMs: 100, message: `no /api/ok at ${base}` });

      expect((await fetch(`${base}/ok`)).status).toBe(404);
      expect((await fetch(`${base}/threads`, { method: 'POST' })).status).toBe(404);
      expect(await json(await fetch(`${base}/api/custom/hello`))).toEqual({ hello: 'world' });
      const client = new Client({ apiUrl: `${base}/api` });
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN, webhook: TOKEN_TARGET });
      const received = await waitFor(
        async () => {
          const all = (await json(await fetch(`${base}/api/custom/webhooks-received`))) as Array<{ target: string; body: { run_id: string } }>;
          return all.find((entry) => entry.body.run_id === run.run_id);
        },
        { timeoutMs: 20_000, intervalMs: 50, message: 'the relative webhook never reached the prefixed custom route' },
      );
      // The app sees paths without the prefix, as a mounted sub-application does.
      expect(received.target).toBe(TOKEN_TARGET);
    });
  });
});
