import { Client } from '@langchain/langgraph-sdk';
import { type RecordingReceiver, startRecordingReceiver, waitFor } from '@runhook/testing';
import { execFileSync } from 'node:child_process';
import { ProcessFleet } from './support/process-fleet';
import { HUMAN, deliveredExactly } from './support/webhook-e2e';

/**
 * The SQLite file cannot be written for a moment. chmod would not do (the tests run as root in CI, and root
 * ignores file modes), so the server's own file-size limit (RLIMIT_FSIZE, set on the running process with
 * `prlimit`) is lowered to 1 KiB: every write SQLite makes past it fails (EFBIG, SQLITE_IOERR_WRITE) as on a full
 * disk, for the server process only. Clients must get a 503 or an SSE `error` with a detail, the process must
 * stay up, and everything must work again once the limit is lifted.
 */
function limitFileSize(pid: number, limit: string): void {
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${limit}:unlimited`]);
}

interface Answer {
  status: number;
  body: string;
}

async function post(url: string, body: unknown): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.text() };
}

describe('the SQLite file cannot be written for a moment', () => {
  const fleet = new ProcessFleet();
  let receiver: RecordingReceiver | undefined;

  afterAll(async () => {
    await fleet.stopAll();
    await receiver?.stop();
  });

  it('answers clear errors, stays up, and recovers once writes succeed again', async () => {
    receiver = await startRecordingReceiver();
    const server = await fleet.start('api', { env: { RUN_LEASE_MS: '1500', RUN_POLL_MS: '250', WEBHOOK_POLL_MS: '250', WEBHOOK_RETRY_SCHEDULE: '0.2,0.5,1,1,1,1,1,1,1' } });
    const pid = server.process.pid as number;
    const client = new Client({ apiUrl: server.url });
    const webhook = `${receiver.url}/hook`;
    const thread = await client.threads.create();
    // A run executing when the disk fails: its checkpoint and end writes fail, and it must still end after.
    const running = await client.runs.create(thread.thread_id, 'agent', { input: HUMAN('sleep 1500'), webhook });
    await waitFor(async () => (await client.runs.get(thread.thread_id, running.run_id)).status === 'running');

    limitFileSize(pid, '1024');
    try {
      const created = await post(`${server.url}/threads`, {});
      expect(created.status).toBe(503);
      expect(JSON.parse(created.body)).toEqual({ detail: expect.stringMatching(/database/i) });
      const waited = await post(`${server.url}/runs/wait`, { assistant_id: 'agent', input: HUMAN('during the fault') });
      expect(waited.status).toBe(503);
      expect(JSON.parse(waited.body)).toEqual({ detail: expect.any(String) });
      // A stream on the thread: refused before it starts (503), or ended by an `error` event with a detail.
      const streamed = await fetch(`${server.url}/threads/${thread.thread_id}/runs/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: 'agent', input: HUMAN('streamed during the fault'), multitask_strategy: 'enqueue' }),
      });
      const text = await streamed.text();
      if (streamed.status === 200) expect(text).toMatch(/event: error\r?\ndata: \{.*"message":"[^"]+"/);
      else {
        expect(streamed.status).toBe(503);
        expect(JSON.parse(text)).toEqual({ detail: expect.any(String) });
      }
      // Reads still work, and the process is up.
      expect((await fetch(`${server.url}/threads/${thread.thread_id}`)).status).toBe(200);
      expect((await fetch(`${server.url}/ok`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      limitFileSize(pid, 'unlimited');
    }

    // Recovery: the run caught by the fault is resumed by its next attempt, ends well and is delivered once; new
    // work runs as before.
    await client.runs.join(thread.thread_id, running.run_id);
    await expect(client.runs.get(thread.thread_id, running.run_id)).resolves.toMatchObject({ status: 'success' });
    await deliveredExactly(receiver, server.url, running.run_id);
    const after = await client.threads.create();
    const values = (await client.runs.wait(after.thread_id, 'agent', { input: HUMAN('after the fault'), webhook })) as { messages: { content: string }[] };
    expect(values.messages.at(-1)?.content).toBe('echo: after the fault');
    const [run] = await client.runs.list(after.thread_id);
    await deliveredExactly(receiver, server.url, run.run_id);
    expect(fleet.unexpectedExits).toEqual([]);
    expect((await fetch(`${server.url}/ok?check_db=1`)).status).toBe(200);
  }, 120_000);
});
