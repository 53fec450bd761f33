import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer } from '@runhook/testing';

const HUMAN = (content: string) => ({ messages: [{ role: 'human', content }] });

describe('two replicas on one database, only one of them executing runs', () => {
  let api: RunningServer | undefined;
  let worker: RunningServer | undefined;

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
  });

  it('waits, joins and streams (resumable) runs that the other replica executes', async () => {
    api = await startApiServer({ env: { RUNHOOK_ROLES: 'api' } });
    // The executing replica also serves HTTP, only so the test launcher can see it is up.
    worker = await startApiServer({ databaseUrl: api.databaseUrl, env: { RUNHOOK_ROLES: 'api,worker' } });
    const client = new Client({ apiUrl: api.url });

    const waited = (await client.runs.wait(null, 'agent', { input: HUMAN('from the other replica') })) as { messages: { content: string }[] };
    expect(waited.messages.at(-1)?.content).toBe('echo: from the other replica');

    const thread = await client.threads.create();
    const events: string[] = [];
    for await (const chunk of client.runs.stream(thread.thread_id, 'agent', { input: HUMAN('streamed'), streamResumable: true, streamMode: ['values'] })) {
      events.push(chunk.event);
    }
    expect(events).toEqual(['metadata', 'values', 'values']);
    const runs = await client.runs.list(thread.thread_id);
    expect(runs[0].status).toBe('success');
    await expect(client.runs.join(thread.thread_id, runs[0].run_id)).resolves.toMatchObject({ messages: expect.any(Array) });
  });
});
