import { randomUUID } from 'node:crypto';
import { RunningReceiver, startReceiver } from './receiver-process';
import { buildRunPayload, signedHeaders, TEST_SIGNING_SECRET, TEST_TOKEN } from './webhook-fixtures';

const READ_TOKEN = 'read-side-token-0123456789';

describe('receiver with RECEIVER_READ_TOKEN (built app)', () => {
  let receiver: RunningReceiver;

  beforeAll(async () => {
    receiver = await startReceiver({ RECEIVER_TOKEN: TEST_TOKEN, RECEIVER_SIGNING_SECRETS: TEST_SIGNING_SECRET, RECEIVER_READ_TOKEN: READ_TOKEN });
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  it('still takes deliveries, which carry their own token and signature', async () => {
    const webhookId = `msg_${randomUUID()}`;
    const body = JSON.stringify(buildRunPayload({ runEndedAt: new Date(Date.now() - 40) }));
    const response = await fetch(`${receiver.baseUrl}/webhooks?token=${TEST_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders({ webhookId, body }) },
      body,
    });
    expect(response.status).toBe(200);
    const read = await fetch(`${receiver.baseUrl}/deliveries/${webhookId}`, { headers: { 'x-receiver-token': READ_TOKEN } });
    expect(read.status).toBe(200);
  });

  it.each(['/deliveries', '/events', '/'])('refuses %s without the read token, or with a wrong one', async (path) => {
    const attempts: Array<Record<string, string>> = [{}, { 'x-receiver-token': `${READ_TOKEN}x` }];
    for (const headers of attempts) {
      const response = await fetch(`${receiver.baseUrl}${path}`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toHaveProperty('detail');
    }
  });

  it('serves the page, the list and the event stream with the token in a header or ?token=', async () => {
    expect((await fetch(`${receiver.baseUrl}/deliveries`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status).toBe(200);
    const page = await fetch(`${receiver.baseUrl}/?token=${READ_TOKEN}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("get('token')");
    const abort = new AbortController();
    const events = await fetch(`${receiver.baseUrl}/events?token=${READ_TOKEN}`, { signal: abort.signal });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    abort.abort();
  });

  it('keeps /ok public', async () => {
    expect((await fetch(`${receiver.baseUrl}/ok`)).status).toBe(200);
  });
});
