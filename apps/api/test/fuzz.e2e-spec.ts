import { type RecordingReceiver, REPO_ROOT, type RunningServer, startApiServer, startRecordingReceiver } from '@runhook/testing';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { HUMAN, langgraphConfigWith } from './support/webhook-e2e';

/**
 * Property-based fuzzing of every route the controllers declare, against the built server: random and mutated
 * bodies, path ids, query strings and headers. Whatever arrives, the answer is a success or a 4xx with
 * `{"detail"}`, never a 5xx, and the server keeps serving. Bounded in count and time; 127.0.0.1 only (webhook
 * hosts other than 127.0.0.1 are refused by policy before any DNS lookup).
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  /** `:name` segments are filled with ids. */
  path: string;
  /** A valid body the mutations start from. */
  body?: () => Record<string, unknown>;
}

const MAX_RUNS = Number(process.env['FUZZ_RUNS'] ?? 700);
const TIME_LIMIT_MS = Number(process.env['FUZZ_TIME_LIMIT_MS'] ?? 70_000);
const REQUEST_TIMEOUT_MS = 10_000;
// Room for 40,000 run ids in one cancel (1.6 MB), small enough that oversized bodies stay cheap to send.
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const OVERSIZED_BODY = `{"input":"${'x'.repeat(MAX_BODY_BYTES)}"}`;

describe('fuzzing every endpoint: never a 5xx', () => {
  let server: RunningServer;
  let receiver: RecordingReceiver;
  const ids: Record<string, string[]> = { assistantId: ['agent'], threadId: [], runId: [], cronId: [], deliveryId: [], checkpointId: [], namespace: ['agent'] };

  const runBody = () => ({ assistant_id: 'agent', input: HUMAN('hi'), webhook: `${receiver.url}/hook?token=t` });
  const cronBody = () => ({ assistant_id: 'agent', schedule: '0 0 1 1 *', input: HUMAN('hi') });

  // Every route of every controller (health, assistants, threads, thread runs, stateless runs, crons, deliveries).
  const routes: Route[] = [
    { method: 'GET', path: '/ok' },
    { method: 'GET', path: '/info' },
    { method: 'POST', path: '/assistants', body: () => ({ graph_id: 'agent', config: { tags: ['a'] }, metadata: { m: 1 }, name: 'n' }) },
    { method: 'POST', path: '/assistants/search', body: () => ({ graph_id: 'agent', limit: 5, offset: 0, metadata: {} }) },
    { method: 'POST', path: '/assistants/count', body: () => ({ graph_id: 'agent' }) },
    { method: 'GET', path: '/assistants/:assistantId' },
    { method: 'PATCH', path: '/assistants/:assistantId', body: () => ({ metadata: { x: 1 }, config: {} }) },
    { method: 'DELETE', path: '/assistants/:assistantId' },
    { method: 'GET', path: '/assistants/:assistantId/graph' },
    { method: 'GET', path: '/assistants/:assistantId/schemas' },
    { method: 'GET', path: '/assistants/:assistantId/subgraphs' },
    { method: 'GET', path: '/assistants/:assistantId/subgraphs/:namespace' },
    { method: 'POST', path: '/assistants/:assistantId/versions', body: () => ({ limit: 5, offset: 0 }) },
    { method: 'POST', path: '/assistants/:assistantId/latest', body: () => ({ version: 1 }) },
    { method: 'POST', path: '/threads', body: () => ({ metadata: { graph_id: 'agent' }, if_exists: 'do_nothing' }) },
    { method: 'POST', path: '/threads/search', body: () => ({ metadata: {}, status: 'idle', limit: 5, ids: [] }) },
    { method: 'POST', path: '/threads/count', body: () => ({ status: 'idle' }) },
    { method: 'GET', path: '/threads/:threadId' },
    { method: 'PATCH', path: '/threads/:threadId', body: () => ({ metadata: { a: 'b' } }) },
    { method: 'DELETE', path: '/threads/:threadId' },
    { method: 'POST', path: '/threads/:threadId/copy', body: () => ({}) },
    { method: 'GET', path: '/threads/:threadId/state' },
    { method: 'POST', path: '/threads/:threadId/state', body: () => ({ values: HUMAN('x'), as_node: 'agent' }) },
    { method: 'POST', path: '/threads/:threadId/state/checkpoint', body: () => ({ checkpoint: { checkpoint_id: ids['checkpointId'][0] } }) },
    { method: 'GET', path: '/threads/:threadId/state/:checkpointId' },
    { method: 'POST', path: '/threads/:threadId/history', body: () => ({ limit: 3 }) },
    { method: 'GET', path: '/threads/:threadId/history' },
    { method: 'POST', path: '/threads/:threadId/runs', body: runBody },
    { method: 'POST', path: '/threads/:threadId/runs/stream', body: runBody },
    { method: 'POST', path: '/threads/:threadId/runs/wait', body: runBody },
    { method: 'GET', path: '/threads/:threadId/runs' },
    { method: 'GET', path: '/threads/:threadId/runs/:runId' },
    { method: 'DELETE', path: '/threads/:threadId/runs/:runId' },
    { method: 'POST', path: '/threads/:threadId/runs/:runId/cancel' },
    { method: 'GET', path: '/threads/:threadId/runs/:runId/join' },
    { method: 'GET', path: '/threads/:threadId/runs/:runId/stream' },
    { method: 'POST', path: '/runs', body: runBody },
    { method: 'POST', path: '/runs/stream', body: runBody },
    { method: 'POST', path: '/runs/wait', body: runBody },
    { method: 'POST', path: '/runs/batch', body: () => [runBody()] as unknown as Record<string, unknown> },
    { method: 'POST', path: '/runs/cancel', body: () => ({ run_ids: [randomUUID()] }) },
    { method: 'GET', path: '/runs/:runId' },
    { method: 'GET', path: '/runs/:runId/stream' },
    { method: 'POST', path: '/runs/crons', body: cronBody },
    { method: 'POST', path: '/threads/:threadId/runs/crons', body: cronBody },
    { method: 'POST', path: '/runs/crons/search', body: () => ({ assistant_id: 'agent', limit: 5 }) },
    { method: 'POST', path: '/runs/crons/count', body: () => ({}) },
    { method: 'GET', path: '/runs/crons/:cronId' },
    { method: 'GET', path: '/runs/crons/:cronId/runs' },
    { method: 'PATCH', path: '/runs/crons/:cronId', body: () => ({ schedule: '0 0 1 1 *', enabled: false }) },
    { method: 'DELETE', path: '/runs/crons/:cronId' },
    { method: 'GET', path: '/webhooks/deliveries' },
    { method: 'GET', path: '/webhooks/deliveries/:deliveryId' },
    { method: 'POST', path: '/webhooks/deliveries/:deliveryId/redeliver' },
  ];

  beforeAll(async () => {
    receiver = await startRecordingReceiver();
    const langgraphConfig = langgraphConfigWith({ url: { allowed_domains: ['127.0.0.1'], disable_loopback: false, disable_private_ips: false } }, REPO_ROOT);
    server = await startApiServer({ langgraphConfig, env: { WEBHOOK_RETRY_SCHEDULE: '0.2', RUNHOOK_MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
    // Real ids, so fuzzed requests also reach the code behind the 404s.
    const post = async (path: string, body: unknown) => (await fetch(`${server.url}${path}`, json('POST', body))).json() as Promise<Record<string, unknown>>;
    const assistant = await post('/assistants', { graph_id: 'agent' });
    ids['assistantId'].push(String(assistant['assistant_id']));
    for (let index = 0; index < 2; index += 1) {
      const thread = await post('/threads', {});
      const threadId = String(thread['thread_id']);
      ids['threadId'].push(threadId);
      await post(`/threads/${threadId}/runs/wait`, runBody());
      const [run] = (await (await fetch(`${server.url}/threads/${threadId}/runs`)).json()) as { run_id: string }[];
      ids['runId'].push(run.run_id);
      const state = (await (await fetch(`${server.url}/threads/${threadId}/state`)).json()) as { checkpoint?: { checkpoint_id?: string } };
      if (state.checkpoint?.checkpoint_id) ids['checkpointId'].push(state.checkpoint.checkpoint_id);
    }
    const cron = await post('/runs/crons', cronBody());
    ids['cronId'].push(String(cron['cron_id']));
    const deliveries = (await (await fetch(`${server.url}/webhooks/deliveries`)).json()) as { delivery_id: string }[];
    ids['deliveryId'].push(...deliveries.map((delivery) => delivery.delivery_id));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
  });

  function json(method: string, body: unknown): RequestInit {
    return { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }

  // Any JSON value, shallow or deep, with the numbers and strings that broke servers before.
  const edgeNumbers = fc.constantFrom(0, -1, 1e13, -1e300, 1e308, 2 ** 53 + 1, 0.5, -0, Number.MAX_SAFE_INTEGER);
  const edgeStrings = fc.constantFrom('', ' ', '*', '__proto__', 'constructor', 'toString', 'null', '../..', '%00', '\u0000', 'ñ✓💥', 'x'.repeat(5000), randomUUID());
  const anyJson: fc.Arbitrary<unknown> = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    edgeNumbers,
    edgeStrings,
    fc.constant(null),
    fc.array(edgeStrings, { maxLength: 5 }),
    fc.dictionary(edgeStrings, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  );
  const deep = fc.integer({ min: 200, max: 3_000 }).map((depth) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown);

  const idFor = (name: string): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...(ids[name].length ? ids[name] : ['none'])) },
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: fc.oneof(edgeStrings, fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 10 })) },
    );

  // A valid body with some keys replaced, dropped or added; or any JSON; or a body nested thousands deep.
  const bodyFor = (route: Route): fc.Arbitrary<{ raw?: string; value?: unknown }> => {
    const keys = Object.keys(route.body?.() ?? {});
    const mutated = fc
      .tuple(fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(keys.length ? keys : ['x'])), edgeStrings), anyJson), { maxLength: 3 }), fc.boolean())
      .map(([changes, drop]) => {
        const base: unknown = route.body?.() ?? {};
        if (Array.isArray(base)) return { value: changes.length ? changes.map(([, value]) => value) : base };
        const body = { ...(base as Record<string, unknown>) };
        for (const [key, value] of changes) {
          if (drop) delete body[key];
          else body[key] = value;
        }
        return { value: body };
      });
    return fc.oneof(
      { weight: 5, arbitrary: mutated },
      { weight: 2, arbitrary: anyJson.map((value) => ({ value })) },
      { weight: 1, arbitrary: deep.map((value) => ({ value })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((raw) => ({ raw })) },
      { weight: 1, arbitrary: fc.constant({ raw: OVERSIZED_BODY }) },
    );
  };

  const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);
  const contentType = fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'text/plain; charset=latin1', undefined);
  const query = fc.dictionary(fc.constantFrom('limit', 'offset', 'status', 'run_id', 'xray', 'recurse', 'subgraphs', 'wait', 'action', 'cancel_on_disconnect', 'before', 'check_db', 'stream_mode'), fc.oneof(edgeStrings.map(String), edgeNumbers.map(String), fc.string({ maxLength: 10 })), { maxKeys: 3 });

  const request = fc.constantFrom(...routes).chain((route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom<Method>('GET', 'POST', 'PATCH', 'DELETE') }),
      params: fc.record(Object.fromEntries([...route.path.matchAll(/:(\w+)/g)].map(([, name]) => [name, idFor(name)]))),
      body: bodyFor(route),
      query,
      contentType,
      lastEventId: fc.option(fc.oneof(headerValue, fc.constantFrom('-1', '0', '99999999999999999999', '1e400')), { nil: undefined }),
      extraHeader: fc.option(fc.tuple(fc.constantFrom('x-fuzz', 'accept', 'accept-encoding', 'if-none-match', 'x-request-id'), headerValue), { nil: undefined }),
    }),
  );

  it('answers 4xx with a detail to the inputs that were measured as 500s', async () => {
    const send = async (path: string, body: unknown, raw?: string) => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
      return { status: response.status, detail: ((await response.json()) as { detail: string }).detail };
    };
    const count = async () => (await (await fetch(`${server.url}/threads/count`, json('POST', {}))).json()) as number;
    const threadsBefore = await count();

    expect(await send('/runs', { assistant_id: 'agent', input: HUMAN('x'), after_seconds: 1e13 })).toEqual({ status: 422, detail: expect.stringMatching(/^after_seconds must not be greater/) });
    expect(await send('/runs', { assistant_id: 'agent', input: HUMAN('x'), config: { tags: 5 } })).toEqual({ status: 422, detail: 'config.tags must be a list of strings' });
    const deep = '['.repeat(3_000) + ']'.repeat(3_000);
    expect(await send('/runs', null, `{"assistant_id":"agent","input":${deep}}`)).toEqual({ status: 422, detail: expect.stringContaining('nested deeper than 256 levels') });
    const cancel = await fetch(`${server.url}/runs/cancel`, json('POST', { run_ids: Array.from({ length: 40_000 }, () => randomUUID()) }));
    expect(cancel.status).toBe(204);
    const supersteps = [{ updates: [{ values: HUMAN('x'), as_node: 'agent' }] }];
    expect(await send('/threads', { metadata: { graph_id: 'nope' }, supersteps })).toEqual({ status: 422, detail: expect.stringContaining('graph "nope" is not registered') });
    expect((await send('/threads', { metadata: { graph_id: 'agent' }, supersteps: [{ updates: [{ values: {}, as_node: 'no-such-node' }] }] })).status).toBe(422);
    expect(await count()).toBe(threadsBefore);
    expect(await send('/runs', null, OVERSIZED_BODY)).toEqual({ status: 413, detail: expect.stringContaining('too large') });
    // Found by this suite: null filters on cron search were read as ids.
    const nullFilters = await fetch(`${server.url}/runs/crons/search`, json('POST', { assistant_id: null, thread_id: null, limit: 5 }));
    expect(nullFilters.status).toBe(200);
  });

  it('answers every request with a success or a 4xx carrying a detail, and keeps serving', async () => {
    let tried = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (sample) => {
        tried += 1;
        const path = sample.route.path.replace(/:(\w+)/g, (_match, name: string) => encodeURIComponent(sample.params[name] as string));
        const search = new URLSearchParams(sample.query).toString();
        const headers: Record<string, string> = {};
        if (sample.contentType) headers['content-type'] = sample.contentType;
        if (sample.lastEventId !== undefined) headers['last-event-id'] = sample.lastEventId;
        if (sample.extraHeader) headers[sample.extraHeader[0]] = sample.extraHeader[1];
        const hasBody = sample.method !== 'GET';
        const body = sample.body.raw ?? JSON.stringify(sample.body.value);
        const response = await fetch(`${server.url}${path}${search ? `?${search}` : ''}`, {
          method: sample.method,
          headers,
          body: hasBody ? body : undefined,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status < 400) {
          // Streams and waits may run on; the status is what is checked.
          await response.body?.cancel();
          return;
        }
        const text = await response.text();
        const described = `${sample.method} ${path}?${search} (${sample.contentType}) ${body.slice(0, 300)} → ${response.status} ${text.slice(0, 300)}`;
        if (response.status >= 500) throw new Error(`5xx: ${described}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new Error(`not JSON: ${described}`);
        }
        if (typeof parsed !== 'object' || parsed === null || !('detail' in parsed)) throw new Error(`no detail: ${described}`);
      }),
      { numRuns: MAX_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, endOnFailure: true },
    );
    console.log(`fuzz: ${tried} requests over ${routes.length} routes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(tried).toBeGreaterThan(100);
    expect((await fetch(`${server.url}/ok`)).status).toBe(200);
    expect(server.process.exitCode).toBeNull();
  }, TIME_LIMIT_MS + 60_000);
});
