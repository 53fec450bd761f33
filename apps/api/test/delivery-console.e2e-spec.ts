import { Client } from '@langchain/langgraph-sdk';
import { type RecordingReceiver, REPO_ROOT, type RunningServer, startApiServer, startRecordingReceiver, waitFor } from '@runhook/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { HUMAN } from './support/webhook-e2e';

const CHROMIUM_PATH = '/usr/bin/chromium';
const OUT = join(REPO_ROOT, 'tmp', 'delivery-console');
const TOKEN = 'console-e2e-secret-token';
// What a broken receiver answers: markup that must stay text on the page.
const HOSTILE_ANSWER = '<img src=x id="injected"><b>receiver down</b>';

interface Delivery {
  delivery_id: string;
  status: string;
  attempts: number;
  attempts_log?: { status_code: number | null }[];
}

async function json<T>(response: Response): Promise<T> {
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

/** A recording receiver, a built api with `env`, and headless Chromium: what each console suite drives. */
async function startConsoleRig(env: Record<string, string>): Promise<{ receiver: RecordingReceiver; api: RunningServer; browser: Browser }> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing; install it with "apt-get install -y chromium"`);
  mkdirSync(OUT, { recursive: true });
  const receiver = await startRecordingReceiver();
  const api = await startApiServer({ env });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  return { receiver, api, browser };
}

describe('the delivery console at /webhooks, in headless Chromium', () => {
  let api: RunningServer;
  let receiver: RecordingReceiver;
  let browser: Browser;
  let failing = true;

  beforeAll(async () => {
    // Three quick attempts, then the delivery is failed and waits for an operator.
    ({ receiver, api, browser } = await startConsoleRig({ WEBHOOK_RETRY_SCHEDULE: '0.1,0.1' }));
    receiver.respond = () => (failing ? { status: 500, body: HOSTILE_ANSWER } : { status: 200, body: '{"ok":true}' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await receiver?.stop();
  });

  it('shows a failing receiver’s attempts and endpoint health; Redeliver after it recovers makes the delivery succeed', async () => {
    const client = new Client({ apiUrl: api.url });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('to a broken receiver'), webhook: `${receiver.url}/hook?token=${TOKEN}` });
    const endpoint = `http://127.0.0.1:${receiver.port}`;
    const failed = await waitFor(async () => {
      const [found] = await json<Delivery[]>(await fetch(`${api.url}/webhooks/deliveries?run_id=${run.run_id}`));
      return found?.status === 'failed' ? found : undefined;
    });
    expect(failed.attempts).toBe(3);

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${api.url}/webhooks`);
    const row = page.locator(`#deliveries tbody tr[data-delivery-id="${failed.delivery_id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('failed');
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain(`${endpoint}/hook?token=redacted`);
    expect(rowText).not.toContain(TOKEN);

    const health = page.locator(`#endpoints tbody tr[data-endpoint="${endpoint}"]`);
    expect(await health.getAttribute('class')).toBe('failing');
    expect(await health.textContent()).toContain('0 %');

    await row.click();
    const attempts = page.locator('#attempts tbody tr[data-attempt]');
    await waitFor(async () => ((await attempts.count()) === 3 ? true : undefined));
    const first = attempts.first();
    expect(await first.locator('td.code').textContent()).toBe('500');
    expect(await first.locator('pre.excerpt').textContent()).toBe(HOSTILE_ANSWER);
    expect(await page.locator('#injected').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'failing.png'), fullPage: true });

    failing = false;
    await page.locator('#redeliver').click();
    await page.locator('#detail-status', { hasText: 'succeeded' }).waitFor();
    await waitFor(async () => ((await attempts.count()) === 4 ? true : undefined));
    expect(await attempts.nth(3).locator('td.code').textContent()).toBe('200');
    await page.locator(`#endpoints tbody tr[data-endpoint="${endpoint}"]:not(.failing)`).waitFor();
    expect(await health.textContent()).toContain('25 %');
    await page.screenshot({ path: join(OUT, 'redelivered.png'), fullPage: true });

    const detail = await json<Delivery>(await fetch(`${api.url}/webhooks/deliveries/${failed.delivery_id}`));
    expect(detail.status).toBe('succeeded');
    expect(detail.attempts_log?.map((attempt) => attempt.status_code)).toEqual([500, 500, 500, 200]);
    expect(receiver.requests).toHaveLength(4);
    const [line] = await json<{ endpoint: string; attempts: number; success_rate: number; failing_since: string | null }[]>(await fetch(`${api.url}/webhooks/endpoints`));
    expect(line).toMatchObject({ endpoint, attempts: 4, success_rate: 0.25, failing_since: null });
    await page.close();
  }, 60_000);

  it('filters deliveries by status, run and endpoint, and picks up new deliveries live', async () => {
    const page = await browser.newPage();
    await page.goto(`${api.url}/webhooks`);
    await page.waitForSelector('body[data-live="ok"]');
    const rows = page.locator('#deliveries tbody tr');
    await page.selectOption('select[name="status"]', 'pending');
    await page.waitForSelector('body[data-count="0"]');

    await page.selectOption('select[name="status"]', '');
    await page.fill('input[name="endpoint"]', 'http://127.0.0.1:9');
    await page.waitForSelector('body[data-count="0"]');
    await page.fill('input[name="endpoint"]', `http://127.0.0.1:${receiver.port}`);
    await page.waitForSelector('body[data-count="1"]');

    // A new delivery appears without a reload, and the run filter narrows to it.
    const client = new Client({ apiUrl: api.url });
    const run = await client.runs.wait(null, 'agent', { input: HUMAN('live'), webhook: `${receiver.url}/hook?token=${TOKEN}` });
    expect(run).toBeDefined();
    await page.waitForSelector('body[data-count="2"]');
    const [latest] = await json<{ run_id: string; status: string }[]>(await fetch(`${api.url}/webhooks/deliveries?limit=1`));
    await page.fill('input[name="run_id"]', latest.run_id);
    await page.waitForSelector('body[data-count="1"]');
    expect(await rows.first().textContent()).toContain(latest.run_id);
    await page.close();
  }, 60_000);
});

describe('the delivery console with RUNHOOK_API_KEYS set, in headless Chromium', () => {
  const KEY = 'console-e2e-api-key-0123456789';
  let api: RunningServer;
  let receiver: RecordingReceiver;
  let browser: Browser;

  beforeAll(async () => {
    ({ receiver, api, browser } = await startConsoleRig({ RUNHOOK_API_KEYS: KEY }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await receiver?.stop();
  });

  it('serves the data-free page without a key, asks for one, then reads and redelivers with it (kept for the tab only)', async () => {
    const client = new Client({ apiUrl: api.url, apiKey: KEY });
    const run = await client.runs.wait(null, 'agent', { input: HUMAN('keyed'), webhook: `${receiver.url}/hook?token=${TOKEN}` });
    expect(run).toBeDefined();
    await waitFor(() => (receiver.requests.length === 1 ? true : undefined));
    // Only the page itself is open: its data routes and everything else still need the key.
    expect((await fetch(`${api.url}/webhooks/deliveries`)).status).toBe(401);
    expect((await fetch(`${api.url}/webhooks`, { method: 'POST' })).status).toBe(401);

    const page = await browser.newPage();
    const sentKeys: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/webhooks/')) sentKeys.push(request.headers()['x-api-key']);
    });
    const answer = await page.goto(`${api.url}/webhooks`);
    expect(answer?.status()).toBe(200);
    await page.waitForSelector('body[data-live="error"]');
    await page.locator('#key-form').waitFor({ state: 'visible' });
    await page.fill('#key-form input[name="api_key"]', KEY);
    await page.click('#key-form button');
    await page.waitForSelector('body[data-live="ok"][data-count="1"]');
    expect(await page.locator('#key-form').isVisible()).toBe(false);
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('runhook.apiKey'))).toBe(KEY);

    await page.locator('#deliveries tbody tr[data-delivery-id]').first().click();
    await page.locator('#redeliver').click();
    await waitFor(() => (receiver.requests.length === 2 ? true : undefined));
    expect(sentKeys.filter((key) => key === KEY).length).toBeGreaterThan(0);
    expect(sentKeys.at(-1)).toBe(KEY);

    // A reload in the same tab keeps the key; the page never puts it in a URL.
    await page.reload();
    await page.waitForSelector('body[data-live="ok"][data-count="1"]');
    expect(page.url()).not.toContain(KEY);
    await page.screenshot({ path: join(OUT, 'with-api-key.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
