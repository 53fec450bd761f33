import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer, waitFor } from '@runhook/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';

const FIXTURE = join(__dirname, 'fixtures/auth');
const KEY = 'runhook-e2e-key-0123456789abcdef';
const OTHER_KEY = 'runhook-e2e-key-fedcba9876543210';

/** The fixture's langgraph.json with absolute paths and `extra` merged in (to switch sections on or off). */
function variant(extra: Record<string, unknown>): string {
  const base = JSON.parse(readFileSync(join(FIXTURE, 'langgraph.json'), 'utf8'));
  const graphs = Object.fromEntries(Object.entries(base.graphs as Record<string, string>).map(([id, spec]) => [id, join(FIXTURE, spec)]));
  const path = join(mkdtempSync(join(tmpdir(), 'runhook-auth-')), 'langgraph.json');
  writeFileSync(path, JSON.stringify({ ...base, graphs, auth: { path: join(FIXTURE, 'auth.ts:auth') }, http: { app: join(FIXTURE, 'app.ts:app') }, ...extra }));
  return path;
}

const as = (server: RunningServer, token?: string, apiKey?: string) =>
  new Client({ apiUrl: server.url, apiKey: apiKey ?? null, defaultHeaders: token ? { Authorization: `Bearer ${token}` } : {} });

/** The SDK's error for a refused call: its HTTP status. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  const error = (await call.then(
    () => null,
    (thrown: unknown) => thrown,
  )) as { status?: number } | null;
  if (error === null) throw new Error('the call succeeded');
  return error.status ?? -1;
}

const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];
// The filters reach both repositories (metadata containment in SQL on PostgreSQL, in code on SQLite).
const DATABASES: Array<[string, string | null]> = [['SQLite', null], ...(TEST_DATABASE_URL ? [['PostgreSQL', TEST_DATABASE_URL] as [string, string]] : [])];

describe.each(DATABASES)('custom auth (auth.path) over HTTP with the official SDK, on %s', (_name, postgresUrl) => {
  let server: RunningServer;
  let alice: Client;
  let bob: Client;
  let reader: Client;
  const schema = `e2e_auth_${randomBytes(6).toString('hex')}`;
  const admin = postgresUrl ? new Pool({ connectionString: postgresUrl, max: 1 }) : null;

  beforeAll(async () => {
    await admin?.query(`CREATE SCHEMA "${schema}"`);
    const databaseUrl = postgresUrl ? `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : undefined;
    server = await startApiServer({ langgraphConfig: join(FIXTURE, 'langgraph.json'), ...(databaseUrl ? { databaseUrl } : {}) });
    alice = as(server, 'token-alice');
    bob = as(server, 'token-bob');
    reader = as(server, 'token-reader');
  });

  afterAll(async () => {
    await server?.stop();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end();
  });

  it('keeps /ok public', async () => {
    const response = await fetch(`${server.url}/ok`);
    expect(response.status).toBe(200);
  });

  it("answers 401 with the handler's message and headers on every resource without credentials", async () => {
    const anonymous = as(server);
    const calls: Array<Promise<unknown>> = [
      anonymous.threads.create(),
      anonymous.threads.search(),
      anonymous.assistants.search(),
      anonymous.assistants.create({ graphId: 'agent' }),
      anonymous.runs.create(null, 'agent', { input: {} }),
      anonymous.crons.search(),
      anonymous.store.searchItems(['alice']),
    ];
    for (const call of calls) expect(await statusOf(call)).toBe(401);
    const raw = await fetch(`${server.url}/threads/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe('Bearer');
    expect(await raw.json()).toEqual({ detail: 'Missing bearer token' });
  });

  it("gives a thrown HTTPException's status and message; any other failure is a 401, never a 5xx", async () => {
    const teapot = await fetch(`${server.url}/threads/search`, { method: 'POST', headers: { authorization: 'Bearer token-teapot' } });
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ detail: 'I am a teapot' });
    for (const authorization of ['Bearer token-crash', 'Bearer nobody', 'Basic abc', 'Bearer ', 'x'.repeat(2000)]) {
      const response = await fetch(`${server.url}/assistants/search`, { method: 'POST', headers: { authorization } });
      expect(response.status).toBe(401);
      expect(await response.json()).toHaveProperty('detail');
    }
  });

  it("stamps the owner on threads and assistants and hides them from other users (404)", async () => {
    const thread = await alice.threads.create({ metadata: { topic: 'plans' } });
    expect(thread.metadata).toEqual({ topic: 'plans', owner: 'alice' });
    const assistant = await alice.assistants.create({ graphId: 'agent', metadata: { owner: 'mallory' } });
    expect(assistant.metadata).toMatchObject({ owner: 'alice' });

    expect(await statusOf(bob.threads.get(thread.thread_id))).toBe(404);
    expect(await statusOf(bob.threads.update(thread.thread_id, { metadata: { owner: 'bob' } }))).toBe(404);
    expect(await statusOf(bob.threads.delete(thread.thread_id))).toBe(404);
    expect(await statusOf(bob.threads.getState(thread.thread_id))).toBe(404);
    expect(await statusOf(bob.assistants.get(assistant.assistant_id))).toBe(404);
    expect(await statusOf(bob.assistants.update(assistant.assistant_id, { metadata: { x: 1 } }))).toBe(404);
    expect(await statusOf(bob.assistants.delete(assistant.assistant_id))).toBe(404);

    expect((await bob.threads.search({ limit: 100 })).map((found) => found.thread_id)).not.toContain(thread.thread_id);
    expect(await bob.threads.search({ metadata: { owner: 'alice' } })).toEqual([]);
    expect((await alice.threads.search({ limit: 100 })).map((found) => found.thread_id)).toContain(thread.thread_id);
    expect((await bob.assistants.search({ limit: 100 })).map((found) => found.assistant_id)).not.toContain(assistant.assistant_id);
    expect((await alice.threads.get(thread.thread_id)).metadata).toMatchObject({ owner: 'alice' });
    // Updating keeps the owner: the handler stamps it again.
    expect((await alice.threads.update(thread.thread_id, { metadata: { owner: 'bob' } })).metadata).toMatchObject({ owner: 'alice' });
  });

  it("refuses runs on another user's thread (404) and hides their runs", async () => {
    const thread = await alice.threads.create();
    const run = await alice.runs.create(thread.thread_id, 'whoami', { input: {} });
    expect(await statusOf(bob.runs.create(thread.thread_id, 'whoami', { input: {} }))).toBe(404);
    expect(await statusOf(bob.runs.wait(thread.thread_id, 'whoami', { input: {} }))).toBe(404);
    expect(await statusOf(bob.runs.get(thread.thread_id, run.run_id))).toBe(404);
    expect(await statusOf(bob.runs.list(thread.thread_id))).toBe(404);
    expect(await statusOf(bob.runs.cancel(thread.thread_id, run.run_id))).toBe(404);
    await alice.runs.join(thread.thread_id, run.run_id);
    expect((await alice.runs.get(thread.thread_id, run.run_id)).metadata).toMatchObject({ owner: 'alice' });
  });

  it("answers a join stream of another user's run with one error event naming the 404, as the reference does", async () => {
    const thread = await alice.threads.create();
    const run = await alice.runs.create(thread.thread_id, 'whoami', { input: {} });
    const chunks: Array<{ event: string; data: unknown }> = [];
    for await (const chunk of bob.runs.joinStream(thread.thread_id, run.run_id)) chunks.push(chunk);
    expect(chunks).toEqual([{ event: 'error', data: { error: 'Error', message: '404: Run not found' } }]);
    const stateless: Array<{ event: string; data: unknown }> = [];
    for await (const chunk of bob.runs.joinStream(null, run.run_id)) stateless.push(chunk);
    expect(stateless).toEqual([{ event: 'error', data: { error: 'Error', message: '404: Run not found' } }]);
    // A run that does not exist is still a plain 404, and so are the non-stream routes.
    const missing = await fetch(`${server.url}/threads/${thread.thread_id}/runs/00000000-0000-4000-8000-000000000001/stream`, { headers: { authorization: 'Bearer token-bob' } });
    expect(missing.status).toBe(404);
    expect(await statusOf(bob.runs.join(thread.thread_id, run.run_id))).toBe(404);
    const own: Array<{ event: string }> = [];
    for await (const chunk of alice.runs.joinStream(thread.thread_id, run.run_id)) own.push(chunk);
    expect(own.map((chunk) => chunk.event)).not.toContain('error');
  });

  it('accepts a cancel of a run that has already ended as a no-op (202), as the reference does', async () => {
    const thread = await alice.threads.create();
    const run = await alice.runs.create(thread.thread_id, 'whoami', { input: {} });
    await alice.runs.join(thread.thread_id, run.run_id);
    const response = await fetch(`${server.url}/threads/${thread.thread_id}/runs/${run.run_id}/cancel`, { method: 'POST', headers: { authorization: 'Bearer token-alice' } });
    expect(response.status).toBe(202);
    await alice.runs.cancel(thread.thread_id, run.run_id);
    expect((await alice.runs.get(thread.thread_id, run.run_id)).status).toBe('success');
    expect(await statusOf(bob.runs.cancel(thread.thread_id, run.run_id))).toBe(404);
  });

  it('answers 403 when a handler returns false', async () => {
    const thread = await reader.threads.create();
    expect(await statusOf(reader.threads.delete(thread.thread_id))).toBe(403);
    expect(await statusOf(bob.threads.copy(thread.thread_id))).toBe(409);
    expect((await reader.threads.copy(thread.thread_id)).metadata).toMatchObject({ owner: 'reader' });
    expect((await reader.threads.get(thread.thread_id)).thread_id).toBe(thread.thread_id);
  });

  it("answers a handler's HTTPException with its status, message and headers", async () => {
    const assistant = await reader.assistants.create({ graphId: 'agent' });
    const response = await fetch(`${server.url}/assistants/${assistant.assistant_id}`, { method: 'DELETE', headers: { authorization: 'Bearer token-reader' } });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-auth-reason')).toBe('read-only');
    expect(await response.json()).toEqual({ detail: 'Read-only users cannot delete assistants' });
  });

  it('hands the user to the graph in config.configurable, through the stored run', async () => {
    const output = (await alice.runs.wait(null, 'whoami', { input: {} })) as Record<string, unknown>;
    expect(output).toEqual({ identity: 'alice', permissions: ['read', 'write'], display_name: 'Alice' });
    // A stateless run's thread carries the owner too, so its creator may read its runs.
    const thread = await bob.threads.create();
    const background = await bob.runs.create(thread.thread_id, 'whoami', { input: {} });
    await bob.runs.join(thread.thread_id, background.run_id);
    expect((await bob.threads.getState(thread.thread_id)).values).toMatchObject({ identity: 'bob' });
  });

  it("keeps each user's store namespace to them: 403 outside it, filters on search and listing", async () => {
    await alice.store.putItem(['alice', 'notes'], 'one', { text: 'from alice' });
    await bob.store.putItem(['bob'], 'one', { text: 'from bob' });
    expect(await statusOf(alice.store.putItem(['bob'], 'two', { text: 'sneaky' }))).toBe(403);
    expect(await statusOf(alice.store.getItem(['bob'], 'one'))).toBe(403);
    expect(await statusOf(alice.store.deleteItem(['bob'], 'one'))).toBe(403);
    expect(await statusOf(alice.store.searchItems(['bob']))).toBe(403);
    expect(await statusOf(alice.store.listNamespaces({ prefix: ['bob'] }))).toBe(403);
    expect(await alice.store.getItem(['alice', 'notes'], 'one')).toMatchObject({ value: { text: 'from alice' } });
    // An unscoped search or listing is narrowed by the `namespace: {$contains}` filter.
    expect((await alice.store.searchItems([], { limit: 100 })).items.map((item) => item.namespace)).toEqual([['alice', 'notes']]);
    expect((await alice.store.listNamespaces({})).namespaces).toEqual([['alice', 'notes']]);
    expect((await bob.store.listNamespaces({})).namespaces).toEqual([['bob']]);
    await alice.store.deleteItem(['alice', 'notes'], 'one');
    expect(await alice.store.getItem(['alice', 'notes'], 'one')).toBeNull();
    expect(await bob.store.getItem(['bob'], 'one')).toMatchObject({ value: { text: 'from bob' } });
  });

  it("stamps the owner on crons and hides them from other users (404), on get, search, count, update and delete", async () => {
    const cron = await alice.crons.create('agent', { schedule: '0 0 1 1 *', input: {}, metadata: { team: 'x' } });
    expect(cron.metadata).toEqual({ team: 'x', owner: 'alice' });
    expect(cron).not.toHaveProperty('auth_user');
    expect(await statusOf(bob.crons.update(cron.cron_id, { enabled: false }))).toBe(404);
    expect(await statusOf(bob.crons.delete(cron.cron_id))).toBe(404);
    const raw = await fetch(`${server.url}/runs/crons/${cron.cron_id}`, { headers: { authorization: 'Bearer token-bob' } });
    expect(raw.status).toBe(404);
    expect((await bob.crons.search({ limit: 100 })).map((found) => found.cron_id)).not.toContain(cron.cron_id);
    expect(await bob.crons.search({ metadata: { owner: 'alice' } })).toEqual([]);
    expect(await bob.crons.count({ metadata: { team: 'x' } })).toBe(0);
    expect((await alice.crons.search({ limit: 100 })).map((found) => found.cron_id)).toContain(cron.cron_id);
    // A cron on another user's thread is refused like a run on it.
    const thread = await alice.threads.create();
    expect(await statusOf(bob.crons.createForThread(thread.thread_id, 'agent', { schedule: '0 0 1 1 *', input: {} }))).toBe(404);
    await alice.crons.delete(cron.cron_id);
  });

  it("shows each user only the deliveries of runs on threads they may read, and their endpoints", async () => {
    const get = (path: string, token: string, method = 'GET') => fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const thread = await alice.threads.create();
    const run = await alice.runs.create(thread.thread_id, 'whoami', { input: {}, webhook: `${server.url}/custom/hello?token=secret` });
    await alice.runs.join(thread.thread_id, run.run_id);
    let mine: Array<{ delivery_id: string; run_id: string }> = [];
    for (let tries = 0; tries < 100 && mine.length === 0; tries++) {
      mine = ((await (await get(`/webhooks/deliveries?run_id=${run.run_id}`, 'token-alice')).json()) as typeof mine);
      if (mine.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(mine).toHaveLength(1);
    const deliveryId = mine[0]?.delivery_id as string;
    expect((await get(`/webhooks/deliveries/${deliveryId}`, 'token-alice')).status).toBe(200);
    const endpoint = new URL(server.url).origin;
    for (let tries = 0; tries < 100 && !(await (await get('/webhooks/endpoints', 'token-alice')).text()).includes(endpoint); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(((await (await get('/webhooks/endpoints', 'token-alice')).json()) as Array<{ endpoint: string }>).map((entry) => entry.endpoint)).toContain(endpoint);

    const theirs = (await (await get('/webhooks/deliveries?limit=100', 'token-bob')).json()) as Array<{ run_id: string }>;
    expect(theirs.map((delivery) => delivery.run_id)).not.toContain(run.run_id);
    expect((await get(`/webhooks/deliveries?run_id=${run.run_id}`, 'token-bob')).headers.get('x-pagination-total')).toBe('0');
    expect((await get(`/webhooks/deliveries/${deliveryId}`, 'token-bob')).status).toBe(404);
    expect((await get(`/webhooks/deliveries/${deliveryId}/redeliver`, 'token-bob', 'POST')).status).toBe(404);
    expect(((await (await get('/webhooks/endpoints', 'token-bob')).json()) as Array<{ endpoint: string }>).map((entry) => entry.endpoint)).not.toContain(endpoint);
  });

  it('leaves custom routes and /docs open by default', async () => {
    expect((await fetch(`${server.url}/custom/hello`)).status).toBe(200);
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200);
  });
});

describe('http.enable_custom_route_auth and auth.openapi', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: variant({ http: { app: join(FIXTURE, 'app.ts:app'), enable_custom_route_auth: true }, auth: { path: join(FIXTURE, 'auth.ts:auth'), openapi: { securitySchemes: {} } } }) });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('authenticates custom routes and the docs', async () => {
    expect((await fetch(`${server.url}/custom/hello`)).status).toBe(401);
    expect((await fetch(`${server.url}/custom/hello`, { headers: { authorization: 'Bearer token-alice' } })).status).toBe(200);
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(401);
    expect((await fetch(`${server.url}/ok`)).status).toBe(200);
  });
});

describe('RUNHOOK_API_KEYS', () => {
  describe('alone', () => {
    let server: RunningServer;

    beforeAll(async () => {
      server = await startApiServer({ langgraphConfig: join(__dirname, 'fixtures/langgraph.json'), env: { RUNHOOK_API_KEYS: `${KEY} ${OTHER_KEY}` } });
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('accepts any configured key in x-api-key, as the SDK sends it', async () => {
      const thread = await new Client({ apiUrl: server.url, apiKey: KEY }).threads.create();
      expect((await new Client({ apiUrl: server.url, apiKey: OTHER_KEY }).threads.get(thread.thread_id)).thread_id).toBe(thread.thread_id);
    });

    it('refuses a missing or wrong key with 401 and a detail, on every route but /ok', async () => {
      expect(await statusOf(new Client({ apiUrl: server.url, apiKey: null }).threads.search())).toBe(401);
      expect(await statusOf(new Client({ apiUrl: server.url, apiKey: `${KEY}x` }).assistants.search())).toBe(401);
      const raw = await fetch(`${server.url}/info`, { headers: { 'x-api-key': 'wrong' } });
      expect(raw.status).toBe(401);
      expect(await raw.json()).toEqual({ detail: expect.stringContaining('x-api-key') });
      expect((await fetch(`${server.url}/openapi.json`)).status).toBe(401);
      expect((await fetch(`${server.url}/ok`)).status).toBe(200);
      // Lines are written in order, in batches: once the last refused request's line is out, every earlier one is.
      await waitFor(() => /"path":"\/openapi.json"[^\n]*"status":401/.test(server.output()), { message: 'the refused request was not logged' });
      expect(server.output()).not.toContain(KEY);
    });
  });

  describe('with custom auth', () => {
    let server: RunningServer;

    beforeAll(async () => {
      server = await startApiServer({ langgraphConfig: join(FIXTURE, 'langgraph.json'), env: { RUNHOOK_API_KEYS: KEY } });
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('checks the key first, then the bearer token', async () => {
      expect(await statusOf(as(server, 'token-alice').threads.search())).toBe(401);
      expect(await statusOf(as(server, undefined, KEY).threads.search())).toBe(401);
      const thread = await as(server, 'token-alice', KEY).threads.create();
      expect(thread.metadata).toMatchObject({ owner: 'alice' });
    });
  });
});
