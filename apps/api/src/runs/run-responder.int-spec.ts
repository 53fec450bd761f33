import type { INestApplication } from '@nestjs/common';
import { waitFor } from '@runhook/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../bootstrap';
import { loadAppConfig } from '../config/app-config';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import { writeSleepingProject } from './testing/sleeping-project';

const REPO = resolve(__dirname, '../../../..');
jest.setTimeout(30_000);

/**
 * The api on a real SQLite file with no worker (runs stay pending, so clients keep waiting), while the database
 * fails under it: a table gone for a moment, or the connection read-only. Clients hear a clear error, nothing
 * ends the process (no unhandled rejection), and the server serves again once the database is back.
 */
describe('database faults while clients wait or stream (SQLite)', () => {
  let dir: string;
  let app: INestApplication;
  let db: SqliteConnection;
  let base: string;
  const unhandled: unknown[] = [];
  const logged: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    dir = mkdtempSync(join(tmpdir(), 'runhook-faults-'));
    const config = loadAppConfig(
      { DATABASE_URL: join(dir, 'runhook.sqlite'), RUNHOOK_ROLES: 'api', RUNHOOK_CONFIG: writeSleepingProject(), STREAM_HEARTBEAT_MS: '60000' },
      REPO,
    );
    app = await createApp(config);
    app.useLogger({ log: () => undefined, warn: () => undefined, error: (message: unknown) => logged.push(String(message)) });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    db = app.get(SQLITE);
  });

  afterAll(async () => {
    await app?.close();
    process.off('unhandledRejection', onUnhandled);
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(unhandled).toEqual([]);
  });

  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

  async function newThread(): Promise<string> {
    return ((await (await post('/threads', {})).json()) as { thread_id: string }).thread_id;
  }

  const runBody = { assistant_id: 'sleeper', input: { sleep_ms: 1 } };

  /** Reads of run events fail until `restore` runs. */
  function breakEventReads(): () => void {
    db.exec('ALTER TABLE run_events RENAME TO run_events_away');
    return () => db.exec('ALTER TABLE run_events_away RENAME TO run_events');
  }

  it('a waiting client gets a 503 with a detail, and the server keeps serving', async () => {
    const threadId = await newThread();
    const waiting = post(`/threads/${threadId}/runs/wait`, runBody);
    await waitFor(() => (db.prepare('SELECT COUNT(*) AS n FROM runs WHERE thread_id = ?').get(threadId) as { n: number }).n === 1);
    const restore = breakEventReads();
    try {
      const answer = await waiting;
      expect(answer.status).toBe(503);
      expect(((await answer.json()) as { detail: string }).detail).toContain('could not be read from the database');
    } finally {
      restore();
    }
    expect((await fetch(`${base}/threads/${threadId}`)).status).toBe(200);
  });

  it('a streaming client gets an SSE error event and the end of the stream', async () => {
    const threadId = await newThread();
    const answer = await post(`/threads/${threadId}/runs/stream`, runBody);
    expect(answer.status).toBe(200);
    const restore = breakEventReads();
    try {
      const text = await answer.text();
      expect(text).toMatch(/event: error\r\ndata: \{"error":"ServiceUnavailable","message":"The run could not be read/);
    } finally {
      restore();
    }
  });

  it('a cancel-on-disconnect that the database refuses is logged, not thrown into the void', async () => {
    const threadId = await newThread();
    const client = new AbortController();
    const waiting = post(`/threads/${threadId}/runs/wait`, { ...runBody, on_disconnect: 'cancel' }, client.signal).catch(() => null);
    await waitFor(() => (db.prepare('SELECT COUNT(*) AS n FROM runs WHERE thread_id = ?').get(threadId) as { n: number }).n === 1);
    db.pragma('query_only = ON');
    try {
      client.abort();
      await waiting;
      // The cancel's write fails on the read-only connection, and says so.
      await waitFor(() => logged.some((line) => line.includes('cancelling after the client left failed: attempt to write a readonly database')));
    } finally {
      db.pragma('query_only = OFF');
    }
    const runs = (await (await fetch(`${base}/threads/${threadId}/runs`)).json()) as { status: string }[];
    expect(runs.map((run) => run.status)).toEqual(['pending']);
  });

  it('a read-only database for a moment: writes answer 503 naming it, and work again after', async () => {
    db.pragma('query_only = ON');
    try {
      const refused = await post('/threads', {});
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/database failed this request \(attempt to write a readonly database\)/);
      expect(logged).toContainEqual(expect.stringContaining('database error: attempt to write a readonly database'));
    } finally {
      db.pragma('query_only = OFF');
    }
    expect((await post('/threads', {})).status).toBe(200);
  });
});
