import { Client } from '@langchain/langgraph-sdk';
import { type RecordingReceiver, type RunningServer, startApiServer, startRecordingReceiver, waitFor } from '@runhook/testing';
import { parseSigningSecrets, verifySignature } from '@runhook/webhooks';
import { Webhook } from 'standardwebhooks';
import { deliveredExactly, deliveryOf, HUMAN, newSecret, payloadOf } from './support/webhook-e2e';

const SECRET = newSecret();
const TOKEN_QUERY = '?token=abc%2Fdef%3D&x=1';

describe('run-end webhooks (built server, recording receiver, official SDK)', () => {
  let server: RunningServer;
  let receiver: RecordingReceiver;
  let client: Client;
  let hook: string;

  beforeAll(async () => {
    receiver = await startRecordingReceiver();
    const failures = new Map<string, number>();
    receiver.respond = (request) => {
      if (request.url.startsWith('/gone')) return { status: 410 };
      if (request.url.startsWith('/fail2')) {
        const id = String(request.headers['webhook-id']);
        const seen = (failures.get(id) ?? 0) + 1;
        failures.set(id, seen);
        if (seen <= 2) return { status: 503, body: 'not yet' };
      }
      return { status: 200, body: '{"ok":true}' };
    };
    hook = `${receiver.url}/hook${TOKEN_QUERY}`;
    server = await startApiServer({ env: { WEBHOOK_SIGNING_SECRETS: SECRET, WEBHOOK_RETRY_SCHEDULE: '0.2,0.2,0.2' } });
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
  });

  async function thread(): Promise<string> {
    return (await client.threads.create()).thread_id;
  }

  async function expectDelivered(runId: string, status: string): Promise<Record<string, unknown>> {
    const [request] = await deliveredExactly(receiver, server.url, runId);
    const payload = payloadOf(request);
    expect(payload).toMatchObject({ run_id: runId, status });
    expect(request.url).toBe(`/hook${TOKEN_QUERY}`);
    return payload;
  }

  describe('every run endpoint delivers once, with the token intact', () => {
    it('POST /threads/{id}/runs', async () => {
      const run = await client.runs.create(await thread(), 'agent', { input: HUMAN('one'), webhook: hook });
      const payload = await expectDelivered(run.run_id, 'success');
      expect(payload).toMatchObject({ kwargs: expect.objectContaining({ webhook: hook }), values: { messages: expect.any(Array) } });
      expect(payload['run_started_at']).toEqual(expect.any(String));
      expect(payload['run_ended_at']).toEqual(expect.any(String));
      expect(payload['webhook_sent_at']).toEqual(expect.any(String));
    });

    it('POST /threads/{id}/runs/stream and /threads/{id}/runs/wait', async () => {
      const threadId = await thread();
      let runId = '';
      for await (const chunk of client.runs.stream(threadId, 'agent', { input: HUMAN('two'), webhook: hook })) {
        if (chunk.event === 'metadata') runId = (chunk.data as { run_id: string }).run_id;
      }
      await expectDelivered(runId, 'success');
      await client.runs.wait(threadId, 'agent', { input: HUMAN('three'), webhook: hook });
      const [latest] = await client.runs.list(threadId, { limit: 1 });
      await expectDelivered(latest.run_id, 'success');
    });

    it('POST /runs/stream and /runs/wait (stateless runs carry their final values too)', async () => {
      let runId = '';
      for await (const chunk of client.runs.stream(null, 'agent', { input: HUMAN('four'), webhook: hook })) {
        if (chunk.event === 'metadata') runId = (chunk.data as { run_id: string }).run_id;
      }
      const streamed = await expectDelivered(runId, 'success');
      expect(JSON.stringify(streamed['values'])).toContain('echo: four');
      await client.runs.wait(null, 'agent', { input: HUMAN('five'), webhook: hook });
      const request = await waitFor(() => receiver.requests.find((r) => JSON.stringify(payloadOf(r).values).includes('echo: five')));
      await deliveredExactly(receiver, server.url, payloadOf(request).run_id);
    });

    it('POST /runs and /runs/batch', async () => {
      const run = await client.runs.create(null, 'agent', { input: HUMAN('six'), webhook: hook });
      await expectDelivered(run.run_id, 'success');
      const batch = await client.runs.createBatch([
        { assistantId: 'agent', input: HUMAN('seven'), webhook: hook },
        { assistantId: 'agent', input: HUMAN('eight'), webhook: hook },
      ]);
      for (const created of batch) await expectDelivered(created.run_id, 'success');
    });
  });

  describe('every outcome is delivered', () => {
    it('error, with {error, message}', async () => {
      const run = await client.runs.create(await thread(), 'agent', { input: HUMAN('fail'), webhook: hook });
      const payload = await expectDelivered(run.run_id, 'error');
      expect(payload['error']).toEqual({ error: expect.any(String), message: expect.stringContaining('requested failure') });
    });

    it('interrupted by cancel, running or still pending', async () => {
      const threadId = await thread();
      const running = await client.runs.create(threadId, 'agent', { input: HUMAN('sleep 5000'), webhook: hook });
      const pending = await client.runs.create(threadId, 'agent', { input: HUMAN('sleep 5000'), webhook: hook, multitaskStrategy: 'enqueue' });
      await waitFor(async () => (await client.runs.get(threadId, running.run_id)).status === 'running');
      await client.runs.cancel(threadId, pending.run_id);
      await client.runs.cancel(threadId, running.run_id);
      const [pendingPayload] = (await deliveredExactly(receiver, server.url, pending.run_id)).map(payloadOf);
      expect(pendingPayload).toMatchObject({ status: 'interrupted', run_started_at: null });
      await expectDelivered(running.run_id, 'interrupted');
    });

    it('interrupted by a multitask interrupt', async () => {
      const threadId = await thread();
      const first = await client.runs.create(threadId, 'agent', { input: HUMAN('sleep 5000'), webhook: hook });
      await waitFor(async () => (await client.runs.get(threadId, first.run_id)).status === 'running');
      const second = await client.runs.create(threadId, 'agent', { input: HUMAN('after'), webhook: hook, multitaskStrategy: 'interrupt' });
      await expectDelivered(first.run_id, 'interrupted');
      await expectDelivered(second.run_id, 'success');
    });

    it('interrupted when a streaming client disconnects with on_disconnect: cancel', async () => {
      const threadId = await thread();
      const abort = new AbortController();
      const response = await fetch(`${server.url}/threads/${threadId}/runs/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: 'agent', input: HUMAN('sleep 5000'), webhook: hook, on_disconnect: 'cancel' }),
        signal: abort.signal,
      });
      if (!response.body) throw new Error('the stream answered without a body');
      const reader = response.body.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      const runId = /"run_id":\s*"([^"]+)"/.exec(first)?.[1] as string;
      abort.abort();
      await expectDelivered(runId, 'interrupted');
    });
  });

  it('signs with Standard Webhooks: verifies with @runhook/webhooks and the standardwebhooks package', async () => {
    const run = await client.runs.create(await thread(), 'agent', { input: HUMAN('signed'), webhook: hook });
    const [request] = await deliveredExactly(receiver, server.url, run.run_id);
    const headers = request.headers as Record<string, string>;

    expect(headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': expect.stringMatching(/^Runhook\//), 'webhook-attempt': '1' });
    expect(verifySignature({ headers, body: request.body, secrets: parseSigningSecrets(SECRET) })).toEqual({ ok: true });
    expect(new Webhook(SECRET).verify(request.body, headers)).toMatchObject({ run_id: run.run_id });
  });

  it('a receiver failing twice gets the delivery on attempt 3, same webhook-id; the log shows every attempt', async () => {
    const run = await client.runs.create(await thread(), 'agent', { input: HUMAN('retry'), webhook: `${receiver.url}/fail2` });
    const requests = await deliveredExactly(receiver, server.url, run.run_id, 3);
    const ids = new Set(requests.map((request) => request.headers['webhook-id']));

    expect(ids.size).toBe(1);
    expect(requests.map((request) => request.headers['webhook-attempt'])).toEqual(['1', '2', '3']);
    const summary = await waitFor(async () => {
      const delivery = await deliveryOf(server.url, run.run_id);
      return delivery.status === 'succeeded' ? delivery : undefined;
    });
    const detail = (await (await fetch(`${server.url}/webhooks/deliveries/${summary.delivery_id}`)).json()) as {
      attempts_log: { status_code: number }[];
    };
    expect(detail).toMatchObject({ attempts: 3, webhook_id: [...ids][0] });
    expect(detail.attempts_log.map((attempt) => attempt.status_code)).toEqual([503, 503, 200]);
    expect(detail.attempts_log[0]).toMatchObject({ error: 'HTTP 503', response_excerpt: 'not yet', duration_ms: expect.any(Number) });
  });

  it('410 stops the delivery for good', async () => {
    const run = await client.runs.create(await thread(), 'agent', { input: HUMAN('gone'), webhook: `${receiver.url}/gone` });
    await deliveredExactly(receiver, server.url, run.run_id, 1);
    expect((await deliveryOf(server.url, run.run_id)).status).toBe('gone');
  });

  it('the delivery log lists, filters, pages, 404s and redelivers with the same webhook-id', async () => {
    const run = await client.runs.create(await thread(), 'agent', { input: HUMAN('log'), webhook: hook });
    const [first] = await deliveredExactly(receiver, server.url, run.run_id);
    const delivery = await deliveryOf(server.url, run.run_id);
    expect(delivery.status).toBe('succeeded');
    // The log shows which URL was called, never its token; the receiver got the real one.
    expect(first.url).toBe(`/hook${TOKEN_QUERY}`);
    expect(delivery.url).toBe(`${receiver.url}/hook?token=REDACTED&x=1`);
    const page = await fetch(`${server.url}/webhooks/deliveries?limit=1&status=succeeded`);
    expect(await page.json()).toHaveLength(1);
    expect(Number(page.headers.get('x-pagination-total'))).toBeGreaterThan(1);
    expect(page.headers.get('x-pagination-next')).toBe('1');
    expect((await fetch(`${server.url}/webhooks/deliveries/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await fetch(`${server.url}/webhooks/deliveries/nope`)).status).toBe(422);
    expect((await fetch(`${server.url}/webhooks/deliveries?status=lost`)).status).toBe(422);

    const redelivered = (await (await fetch(`${server.url}/webhooks/deliveries/${delivery.delivery_id}/redeliver`, { method: 'POST' })).json()) as { url: string };
    expect(redelivered).toMatchObject({ status: 'succeeded', attempts: 2, webhook_id: delivery.webhook_id });
    expect(redelivered.url).toBe(`${receiver.url}/hook?token=REDACTED&x=1`);
    const [, again] = await deliveredExactly(receiver, server.url, run.run_id, 2);
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(again.headers['webhook-attempt']).toBe('2');
  });

  it('a delivery’s identity is the server’s: two /runs/wait with the same client metadata (a spoofed cron_id) make two deliveries', async () => {
    const spoofedCron = '0190aaaa-0000-7000-8000-00000000c0de';
    const metadata = { cron_id: spoofedCron, cron_scheduled_at: '2026-01-01T00:00:00.000Z' };
    const spoofing = () => receiver.requests.filter((request) => (payloadOf(request).metadata as { cron_id?: string })?.cron_id === spoofedCron);
    await client.runs.wait(null, 'agent', { input: HUMAN('same one'), webhook: hook, metadata });
    await client.runs.wait(null, 'agent', { input: HUMAN('same two'), webhook: hook, metadata });
    const arrived = await waitFor(() => (spoofing().length >= 2 ? spoofing() : undefined), { message: 'two deliveries' });
    expect(arrived).toHaveLength(2);
    const runIds = arrived.map((request) => payloadOf(request).run_id);
    expect(new Set(runIds).size).toBe(2);
    expect(new Set(arrived.map((request) => request.headers['webhook-id'])).size).toBe(2);
    const claimed = await (await fetch(`${server.url}/webhooks/deliveries?cron_id=${spoofedCron}`)).json();
    expect(claimed).toEqual([]);
    for (const runId of runIds) expect((await deliveryOf(server.url, runId)).cron_id).toBeNull();
  });

  it('documents the delivery log in OpenAPI', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/webhooks/deliveries', '/webhooks/deliveries/{deliveryId}', '/webhooks/deliveries/{deliveryId}/redeliver']),
    );
  });
});
