import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer, waitFor } from '@runhook/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { BROWSER_CLIENT_OUT, type StaticSite, buildChatPage, serveStatic } from './browser/chat-page-harness';

const AI_MESSAGE = '[data-testid="message"][data-type="ai"]';

/** What the spec reads inside the page (the spec itself compiles without DOM types). */
interface PageGlobals {
  __aiRenders: { text: string; at: number }[];
  sessionStorage: { getItem(key: string): string | null };
}

/**
 * A real browser client: the Vite-built page in ./browser/chat-page uses useStream from
 * @langchain/langgraph-sdk/react, as LangGraph chat UIs do, from another origin than the server.
 */
describe('useStream chat page in Chromium', () => {
  let server: RunningServer;
  let site: StaticSite;
  let browser: Browser;
  let page: Page;
  let client: Client;

  beforeAll(async () => {
    const pageDir = buildChatPage();
    [server, site] = await Promise.all([
      startApiServer({ langgraphConfig: join(__dirname, 'browser', 'langgraph.json') }),
      serveStatic(pageDir),
    ]);
    client = new Client({ apiUrl: server.url });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    mkdirSync(BROWSER_CLIENT_OUT, { recursive: true });
  }, 180_000);

  beforeEach(async () => {
    page = await browser.newPage();
  });

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  const openChat = async (assistantId = 'agent') => {
    await page.goto(`${site.url}/?apiUrl=${encodeURIComponent(server.url)}&assistantId=${assistantId}`);
    await page.getByTestId('input').waitFor();
  };

  const send = async (text: string) => {
    await page.getByTestId('input').fill(text);
    await page.getByTestId('send').click();
  };

  const aiTexts = () => page.locator(AI_MESSAGE).allInnerTexts();

  const threadInUrl = () => new URL(page.url()).searchParams.get('thread');

  it('renders the reply as it streams, word by word', async () => {
    // paced_echo is the demo echo at a model's pace (a word every 40 ms), so a reply held back by
    // the server would land as one late burst instead of a growing message.
    await openChat('paced_echo');
    const words = Array.from({ length: 60 }, (_, index) => `word${index}`).join(' ');
    const reply = `echo: ${words}`;
    await send(words);

    await page.locator(AI_MESSAGE, { hasText: 'word10 ' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(BROWSER_CLIENT_OUT, 'streaming.png') });
    await page.getByText(reply, { exact: true }).waitFor({ timeout: 30_000 });
    await waitFor(async () => (await page.getByTestId('status').getAttribute('data-loading')) === 'false', { timeoutMs: 10_000 });

    const renders = await page.evaluate(() => (globalThis as unknown as PageGlobals).__aiRenders);
    const partial = renders.filter((render) => render.text.length < reply.length);
    // Many distinct, growing prefixes of the reply were on screen, spread over the time the run took.
    expect(partial.length).toBeGreaterThanOrEqual(10);
    partial.forEach((render, index) => {
      expect(reply.startsWith(render.text)).toBe(true);
      if (index > 0) expect(render.text.length).toBeGreaterThan(partial[index - 1].text.length);
    });
    expect(renders.at(-1)?.text).toBe(reply);
    expect((renders.at(-1)?.at ?? 0) - partial[0].at).toBeGreaterThan(1_000);
    expect(threadInUrl()).toEqual(expect.any(String));
  });

  it('shows an interrupt and resumes it from the page', async () => {
    await openChat();
    await send('interrupt');

    await expect(page.getByTestId('interrupt-question').innerText({ timeout: 20_000 })).resolves.toBe('approve?');
    await page.screenshot({ path: join(BROWSER_CLIENT_OUT, 'interrupt.png') });
    const threadId = threadInUrl();
    expect(threadId).not.toBeNull();
    await expect(client.threads.get(threadId as string)).resolves.toMatchObject({ status: 'interrupted' });

    await page.getByTestId('approve').click();
    await page.getByText('resumed: yes', { exact: true }).waitFor({ timeout: 20_000 });
    await page.getByTestId('interrupt').waitFor({ state: 'detached' });
    await expect(client.threads.get(threadId as string)).resolves.toMatchObject({ status: 'idle' });
    expect(await aiTexts()).toEqual(['resumed: yes']);
  });

  it('rejoins a run that is still streaming after a reload', async () => {
    await openChat();
    await send('sleep 6000');

    const threadId = await waitFor(() => threadInUrl() ?? undefined, { timeoutMs: 15_000, message: 'no thread id in the URL' });
    const runId = await waitFor(
      async () =>
        (await page.evaluate((id) => (globalThis as unknown as PageGlobals).sessionStorage.getItem(`lg:stream:${id}`), threadId)) ?? undefined,
      { timeoutMs: 15_000, message: 'useStream stored no run id for the thread' },
    );
    const joinPath = `/threads/${threadId}/runs/${runId}/stream`;
    const joined = page.waitForRequest((request) => request.method() === 'GET' && new URL(request.url()).pathname === joinPath, {
      timeout: 20_000,
    });

    await page.reload();
    await joined;
    // It joined while the run was still going, and shows it as streaming.
    await expect(client.runs.get(threadId, runId)).resolves.toMatchObject({ status: 'running' });
    await waitFor(async () => (await page.getByTestId('status').getAttribute('data-loading')) === 'true', {
      timeoutMs: 10_000,
      message: 'the reloaded page does not show the run as streaming',
    });

    // The rejoined stream, not a later refetch, brings the reply in.
    await page.getByText('slept 6000', { exact: true }).waitFor({ timeout: 30_000 });
    await expect(client.runs.get(threadId, runId)).resolves.toMatchObject({ status: 'success' });
    expect(await page.locator('[data-testid="message"][data-type="human"]').allInnerTexts()).toEqual(['sleep 6000']);
    await page.screenshot({ path: join(BROWSER_CLIENT_OUT, 'rejoined.png') });
  });
});
