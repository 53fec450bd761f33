import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';
import { buildRunPayload, signedHeaders, TEST_SIGNING_SECRET } from './webhook-fixtures';
import { RunningReceiver, startReceiver } from './receiver-process';

const CHROMIUM_PATH = '/usr/bin/chromium';

describe('live deliveries page in headless Chromium (built app)', () => {
  let receiver: RunningReceiver;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`${CHROMIUM_PATH} is missing; install it with "apt-get install -y chromium"`);
    }
    receiver = await startReceiver({ RECEIVER_SIGNING_SECRETS: TEST_SIGNING_SECRET });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
  });

  it('shows a new delivery without a reload', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${receiver.baseUrl}/`);
    await page.waitForSelector('body[data-live="connected"]');
    await expect(page.locator('#deliveries tbody tr').count()).resolves.toBe(0);
    await expect(page.locator('#signature-off').count()).resolves.toBe(0);
    let navigations = 0;
    page.on('framenavigated', () => navigations++);

    const runId = randomUUID();
    const webhookId = `msg_${randomUUID()}`;
    const body = JSON.stringify(buildRunPayload({ runId, runEndedAt: new Date(Date.now() - 30) }));
    const response = await fetch(`${receiver.baseUrl}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders({ webhookId, body }) },
      body,
    });
    expect(response.status).toBe(200);

    const row = page.locator(`#deliveries tbody tr[data-run-id="${runId}"]`);
    await row.waitFor({ timeout: 10_000 });
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual([runId, 'success', 'yes', '0', '1']);
    expect(cells[5]).toMatch(/^\d+ ms$|^\d+\.\d s$/);

    // The same delivery again: the row updates in place.
    await fetch(`${receiver.baseUrl}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders({ webhookId, body, attempt: 2 }) },
      body,
    });
    await row.locator('td.duplicates', { hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    await expect(page.locator('#deliveries tbody tr').count()).resolves.toBe(1);
    expect(navigations).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

describe('live deliveries page without signing secrets (built app)', () => {
  let receiver: RunningReceiver;

  beforeAll(async () => {
    receiver = await startReceiver({});
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  it('says that signature checking is off', async () => {
    const html = await (await fetch(`${receiver.baseUrl}/`)).text();
    expect(html).toContain('Signature checking is off');
  });
});
