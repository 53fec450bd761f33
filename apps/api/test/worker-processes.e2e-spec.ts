import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer, waitFor } from '@runhook/testing';
import { execFileSync } from 'node:child_process';
import { logLines } from './support/log-lines';

const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

function childrenOf(pid: number): number[] {
  try {
    // Only forked api builds: tsx's esbuild service is a child process too.
    return execFileSync('pgrep', ['-P', String(pid), '-f', 'apps/api/main.js']).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('worker processes (RUNHOOK_WORKER_PROCESSES)', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('runs graphs in forked workers while streams, waits, joins and cancels behave as in one process', async () => {
    // One api slot only, so most runs must execute in the forked worker.
    server = await startApiServer({ env: { RUNHOOK_WORKER_PROCESSES: '1', N_JOBS_PER_WORKER: '1' } });
    const client = new Client({ apiUrl: server.url });
    const pid = server.process.pid as number;
    await waitFor(() => childrenOf(pid).length === 1, { message: 'the worker process did not start' });

    const [worker] = childrenOf(pid);
    // Ready, not only forked: otherwise the api process could run everything before the worker claims anything.
    await waitFor(() => server?.output().includes('started without HTTP (roles: worker)'), { timeoutMs: 30_000, message: 'the worker process did not get ready' });
    const threads = await Promise.all([1, 2, 3, 4].map(() => client.threads.create()));
    const streams = threads.map(async (thread, index) => {
      const events: string[] = [];
      let runId = '';
      for await (const chunk of client.runs.stream(thread.thread_id, 'agent', { input: HUMAN(`hello ${index}`), streamMode: ['messages-tuple', 'values'] })) {
        events.push(chunk.event);
        if (chunk.event === 'metadata') runId = (chunk.data as { run_id: string }).run_id;
      }
      return { events, runId };
    });
    const streamed = await Promise.all(streams);
    for (const { events } of streamed) {
      expect(events[0]).toBe('metadata');
      expect(events).toContain('messages');
      expect(events.at(-1)).toBe('values');
    }
    // The forked worker logs each run it executes with its own pid: at least one of these ran there, not in the api.
    // Log lines are written in batches (up to 50 ms late), so they are waited for.
    const byWorker = (runId: string) => server?.output().includes(`run ${runId} executed by worker process pid ${worker}`);
    await waitFor(() => streamed.some(({ runId }) => byWorker(runId)), { message: 'no run was logged as executed by the worker' });
    expect(worker).not.toBe(pid);
    // The api logs each stream's request once answered, after its run ended: with those out, so is any line before.
    const streamRequests = () => logLines(server?.output() ?? '').filter((line) => line.msg === 'request' && /^\/threads\/[^/]+\/runs\/stream$/.test(String(line['path'])));
    await waitFor(() => streamRequests().length >= threads.length, { message: 'the api did not log the stream requests' });
    expect(server.output()).not.toContain(`executed by worker process pid ${pid}`);
    const waited = (await client.runs.wait(null, 'agent', { input: HUMAN('waited') })) as { messages: { content: string }[] };
    expect(waited.messages.at(-1)?.content).toBe('echo: waited');

    const long = await Promise.all(threads.slice(0, 2).map((t) => client.runs.create(t.thread_id, 'agent', { input: HUMAN('sleep 20000') })));
    await waitFor(async () => (await Promise.all(long.map((r) => client.runs.get(r.thread_id, r.run_id)))).every((r) => r.status === 'running'));
    const started = Date.now();
    await Promise.all(long.map((r) => client.runs.cancel(r.thread_id, r.run_id)));
    await Promise.all(long.map((r) => client.runs.join(r.thread_id, r.run_id)));
    expect(Date.now() - started).toBeLessThan(3_000);
    for (const run of long) await expect(client.runs.get(run.thread_id, run.run_id)).resolves.toMatchObject({ status: 'interrupted' });
  });

  it('forked workers stop when the api process is killed with -9', async () => {
    server = await startApiServer({ env: { RUNHOOK_WORKER_PROCESSES: '1' } });
    const pid = server.process.pid as number;
    const [child] = await waitFor(() => {
      const found = childrenOf(pid);
      return found.length === 1 ? found : undefined;
    });
    await server.crash();
    await waitFor(() => !alive(child), { message: 'the worker process outlived its api process' });
  });
});
