import { randomUUID } from 'node:crypto';
import { buildRunPayload, OTHER_SIGNING_SECRET, signedHeaders, TEST_SIGNING_SECRET, TEST_TOKEN } from './webhook-fixtures';
import { RunningReceiver, startReceiver } from './receiver-process';

interface PostOptions {
  token?: string;
  secrets?: string[];
  timestamp?: Date;
  webhookId?: string;
  body?: string;
  attempt?: number;
}

async function postDelivery(receiver: RunningReceiver, options: PostOptions = {}): Promise<{ status: number; json: unknown; webhookId: string }> {
  const webhookId = options.webhookId ?? `msg_${randomUUID()}`;
  const body = options.body ?? JSON.stringify(buildRunPayload({ runEndedAt: new Date(Date.now() - 40) }));
  const headers = signedHeaders({ webhookId, body, secrets: options.secrets, timestamp: options.timestamp, attempt: options.attempt });
  const token = options.token ?? TEST_TOKEN;
  const response = await fetch(`${receiver.baseUrl}/webhooks?token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Runhook/e2e', ...headers },
    body,
  });
  return { status: response.status, json: await response.json(), webhookId };
}

async function getJson(receiver: RunningReceiver, path: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${receiver.baseUrl}${path}`);
  return { status: response.status, json: await response.json() };
}

describe('receiver over HTTP (built app)', () => {
  let receiver: RunningReceiver;

  beforeAll(async () => {
    receiver = await startReceiver({ RECEIVER_TOKEN: TEST_TOKEN, RECEIVER_SIGNING_SECRETS: TEST_SIGNING_SECRET });
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  it('answers its health check', async () => {
    await expect(getJson(receiver, '/ok')).resolves.toEqual({ status: 200, json: { ok: true } });
  });

  it('stores and verifies a correctly signed delivery with the right token', async () => {
    const runId = randomUUID();
    const body = JSON.stringify(buildRunPayload({ runId, status: 'error' }));
    const sent = await postDelivery(receiver, { body, attempt: 3 });
    expect(sent).toMatchObject({ status: 200, json: { ok: true } });

    const stored = await getJson(receiver, `/deliveries/${sent.webhookId}`);
    expect(stored.status).toBe(200);
    expect(stored.json).toMatchObject({
      webhook_id: sent.webhookId,
      run_id: runId,
      status: 'error',
      verified: true,
      attempt: 3,
      duplicates: 0,
      query: '?token=REDACTED',
      body,
    });
    const list = await getJson(receiver, '/deliveries?limit=1');
    expect(list.json).toEqual([expect.objectContaining({ webhook_id: sent.webhookId })]);
  });

  it('refuses a wrong token with 401', async () => {
    const sent = await postDelivery(receiver, { token: 'guess' });
    expect(sent).toMatchObject({ status: 401, json: { detail: 'invalid token' } });
    await expect(getJson(receiver, `/deliveries/${sent.webhookId}`)).resolves.toMatchObject({ status: 404 });
  });

  it('refuses a forged signature with 401', async () => {
    const sent = await postDelivery(receiver, { secrets: [OTHER_SIGNING_SECRET] });
    expect(sent).toMatchObject({ status: 401, json: { detail: 'invalid signature: no-matching-signature' } });
  });

  it('refuses a stale timestamp with 401', async () => {
    const sent = await postDelivery(receiver, { timestamp: new Date(Date.now() - 10 * 60_000) });
    expect(sent).toMatchObject({ status: 401, json: { detail: 'invalid signature: timestamp-too-old' } });
  });

  it('acknowledges a duplicate webhook-id with 2xx and stores it once', async () => {
    const webhookId = `msg_${randomUUID()}`;
    const body = JSON.stringify(buildRunPayload());
    await expect(postDelivery(receiver, { webhookId, body })).resolves.toMatchObject({ status: 200, json: { ok: true } });
    await expect(postDelivery(receiver, { webhookId, body, attempt: 2 })).resolves.toMatchObject({ status: 200, json: { ok: true, duplicate: true } });

    const list = (await getJson(receiver, '/deliveries?limit=1000')).json as { webhook_id: string }[];
    expect(list.filter((delivery) => delivery.webhook_id === webhookId)).toHaveLength(1);
    await expect(getJson(receiver, `/deliveries/${webhookId}`)).resolves.toMatchObject({ json: { duplicates: 1, attempt: 1 } });
  });

  it('answers 404 with a detail for an unknown delivery', async () => {
    await expect(getJson(receiver, '/deliveries/msg_unknown')).resolves.toEqual({
      status: 404,
      json: { detail: 'no delivery with webhook-id msg_unknown' },
    });
  });
});

describe('receiver with RECEIVER_FAIL_FIRST=2 (built app)', () => {
  let receiver: RunningReceiver;

  beforeAll(async () => {
    receiver = await startReceiver({ RECEIVER_TOKEN: TEST_TOKEN, RECEIVER_SIGNING_SECRETS: TEST_SIGNING_SECRET, RECEIVER_FAIL_FIRST: '2' });
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  it('answers 503, 503, then 200 to attempts of one delivery', async () => {
    const webhookId = `msg_${randomUUID()}`;
    const body = JSON.stringify(buildRunPayload());
    const statuses: number[] = [];
    for (const attempt of [1, 2, 3]) {
      statuses.push((await postDelivery(receiver, { webhookId, body, attempt })).status);
    }
    expect(statuses).toEqual([503, 503, 200]);
    await expect(getJson(receiver, `/deliveries/${webhookId}`)).resolves.toMatchObject({ status: 200, json: { attempt: 3, duplicates: 0 } });
  });
});

describe('receiver start-up (built app)', () => {
  it('stops with a message naming a bad variable', async () => {
    await expect(startReceiver({ RECEIVER_PORT: 'eighty' })).rejects.toThrow(/RECEIVER_PORT: expected an integer/);
  });
});
