import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer, startReceiverApp, waitFor } from '@runhook/testing';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { HUMAN, newSecret } from './support/webhook-e2e';

const CHROMIUM_PATH = '/usr/bin/chromium';
const SECRET = newSecret();
const TOKEN = 'receiver-token-e2e';

interface ReceivedDelivery {
  webhook_id: string;
  run_id: string;
  status: string;
  verified: boolean | null;
  duplicates: number;
  latency_ms: number | null;
}

describe('the api delivering to the real receiver app (built), checked in headless Chromium', () => {
  let api: RunningServer;
  let receiver: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing; install it with "apt-get install -y chromium"`);
    receiver = await startReceiverApp({ env: { RECEIVER_TOKEN: TOKEN, RECEIVER_SIGNING_SECRETS: SECRET } });
    api = await startApiServer({ env: { WEBHOOK_SIGNING_SECRETS: SECRET } });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await receiver?.stop();
  });

  it('verifies token and signature, stores the delivery once and shows it live', async () => {
    const page = await browser.newPage();
    await page.goto(`${receiver.url}/`);
    await page.waitForSelector('body[data-live="connected"]');

    const client = new Client({ apiUrl: api.url });
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, 'agent', { input: HUMAN('to the receiver'), webhook: `${receiver.url}/webhooks?token=${TOKEN}` });
    const [run] = await client.runs.list(thread.thread_id, { limit: 1 });

    const stored = await waitFor(async () => {
      const list = (await (await fetch(`${receiver.url}/deliveries`)).json()) as ReceivedDelivery[] | { deliveries: ReceivedDelivery[] };
      const items = Array.isArray(list) ? list : list.deliveries;
      return items.find((item) => item.run_id === run.run_id);
    });
    expect(stored).toMatchObject({ status: 'success', verified: true, duplicates: 0 });

    const row = page.locator(`#deliveries tbody tr[data-run-id="${run.run_id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('yes');
    await page.close();
  });

  it('a wrong token is refused by the receiver, so the api keeps the delivery for retry', async () => {
    const client = new Client({ apiUrl: api.url });
    const run = await client.runs.create(null, 'agent', { input: HUMAN('bad token'), webhook: `${receiver.url}/webhooks?token=wrong` });
    const delivery = await waitFor(async () => {
      const [found] = (await (await fetch(`${api.url}/webhooks/deliveries?run_id=${run.run_id}`)).json()) as { status: string; last_status_code: number | null }[];
      return found?.last_status_code ? found : undefined;
    });
    expect(delivery).toMatchObject({ status: 'pending', last_status_code: 401 });
  });
});
