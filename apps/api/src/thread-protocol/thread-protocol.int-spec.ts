import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createApp } from '../bootstrap';
import { loadAppConfig } from '../config/app-config';
import { type AppDatabaseFactory, describeEachAppDatabase } from '../persistence/testing/app-database';
import { writeSleepingProject } from '../runs/testing/sleeping-project';

const REPO = resolve(__dirname, '../../../..');
jest.setTimeout(60_000);

interface Event {
  seq: number;
  method: string;
  params: { namespace: string[]; data: Record<string, unknown> };
}

/** Reads a thread's protocol event stream until `done` says enough, then leaves. */
async function readEvents(base: string, threadId: string, filter: unknown, done: (events: Event[]) => boolean): Promise<Event[]> {
  const response = await fetch(`${base}/threads/${threadId}/stream/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(filter) });
  expect(response.status).toBe(200);
  if (!response.body) throw new Error('no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const events: Event[] = [];
  let pending = '';
  while (!done(events)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    pending += decoder.decode(value, { stream: true });
    const blocks = pending.split(/\r?\n\r?\n/);
    pending = blocks.pop() ?? '';
    for (const block of blocks) {
      const data = block.split(/\r?\n/).find((line) => line.startsWith('data: '));
      if (data) events.push(JSON.parse(data.slice('data: '.length)) as Event);
    }
  }
  await reader.cancel();
  return events;
}

const rootEnds = (count: number) => (events: Event[]) =>
  events.filter((event) => event.method === 'lifecycle' && event.params.namespace.length === 0 && event.params.data['event'] === 'completed').length >= count;

function describeProtocol(name: string, database: AppDatabaseFactory): void {
  describe(`the thread protocol on ${name}, two api processes on one database`, () => {
    let executing: INestApplication;
    let apiOnly: INestApplication;
    let drop: () => Promise<void>;
    const bases: string[] = [];

    beforeAll(async () => {
      const db = await database();
      drop = db.drop;
      const project = writeSleepingProject();
      const start = async (roles: string) => {
        const app = await createApp(loadAppConfig({ DATABASE_URL: db.url, RUNHOOK_ROLES: roles, RUNHOOK_CONFIG: project, RUN_POLL_MS: '50', STREAM_HEARTBEAT_MS: '60000' }, REPO));
        app.useLogger(['error']);
        await app.listen(0, '127.0.0.1');
        bases.push(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
        return app;
      };
      executing = await start('api,worker');
      apiOnly = await start('api');
    });

    afterAll(async () => {
      await apiOnly?.close();
      await executing?.close();
      await drop?.();
    });

    const command = async (base: string, threadId: string, body: unknown) => {
      const response = await fetch(`${base}/threads/${threadId}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
      return (await response.json()) as { result: { run_id?: string }; meta: { applied_through_seq: number } };
    };

    it('follows runs queued on a thread one after the other, each ending before the next starts', async () => {
      const threadId = randomUUID();
      const [base] = bases;
      await command(base, threadId, { id: 1, method: 'run.start', params: { assistant_id: 'sleeper', input: { sleep_ms: 300 } } });
      await command(base, threadId, { id: 2, method: 'run.start', params: { assistant_id: 'sleeper', input: { sleep_ms: 1 }, multitaskStrategy: 'enqueue' } });
      const events = await readEvents(base, threadId, { channels: ['lifecycle', 'values'] }, rootEnds(2));
      const lifecycle = events.filter((event) => event.method === 'lifecycle').map((event) => event.params.data['event']);
      expect(lifecycle).toEqual(['running', 'completed', 'running', 'completed']);
      // The state each run ended with, just before its end: the first run's, then the second's.
      const ends = events.flatMap((event, index) => (event.method === 'lifecycle' && event.params.data['event'] === 'completed' ? [events[index - 1]] : []));
      expect(ends.map((event) => [event.method, event.params.data['slept_ms']])).toEqual([['values', 300], ['values', 1]]);
      const seqs = events.map((event) => event.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    });

    it("streams, from a process that did not start it, a run another process executes, with its updates, tasks and checkpoints", async () => {
      const threadId = randomUUID();
      const [base, other] = bases;
      const started = await command(base, threadId, { id: 1, method: 'run.start', params: { assistant_id: 'sleeper', input: { sleep_ms: 400 } } });
      expect(started.result.run_id).toEqual(expect.any(String));
      const events = await readEvents(other, threadId, { channels: ['lifecycle', 'values', 'updates', 'tasks', 'checkpoints'] }, rootEnds(1));
      const methods = new Set(events.map((event) => event.method));
      expect(methods).toEqual(new Set(['lifecycle', 'values', 'updates', 'tasks', 'checkpoints']));
      expect(events.find((event) => event.method === 'updates')?.params).toMatchObject({ node: 'sleep', data: { node: 'sleep', values: { slept_ms: 400 } } });
      expect(events.find((event) => event.method === 'checkpoints')?.params.data).toMatchObject({ id: expect.any(String), step: expect.any(Number), source: expect.any(String) });
      const state = await command(other, threadId, { id: 2, method: 'state.get', params: { keys: ['slept_ms'] } });
      expect(state.result).toMatchObject({ values: { slept_ms: 400 }, checkpoint: { id: expect.any(String) } });
    });
  });
}

describeEachAppDatabase(describeProtocol);
