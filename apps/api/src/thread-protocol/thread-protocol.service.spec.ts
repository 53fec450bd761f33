import { OpenStreams } from '../streaming/open-streams';
import 'reflect-metadata';
import { HttpException } from '@nestjs/common';
import type { Run, Thread } from '@runhook/contracts';
import type { RunEvent, RunOutcome } from '../streaming/run-event';
import { ThreadProtocolService } from './thread-protocol.service';

const THREAD = '0b6c3f4e-6a52-4d4e-9a58-0f5b1d7f2c11';

interface Follow {
  runId: string;
  onEvent: (event: RunEvent) => void;
  onDone: (outcome: RunOutcome) => void;
}

function thread(overrides: Partial<Thread> = {}): Thread {
  return {
    thread_id: THREAD,
    created_at: '',
    updated_at: '',
    state_updated_at: '',
    metadata: { assistant_id: 'asst-1', graph_id: 'agent' },
    status: 'idle',
    config: {},
    values: null,
    interrupts: {},
    ...overrides,
  };
}

/** The service over recording collaborators: what it asks of the runs feature is the rule under test. */
function setUp(stored: Thread | null) {
  const created: { body: Record<string, unknown> }[] = [];
  const follows: Follow[] = [];
  let counter = 0;
  const makeRun = (): Run => ({
    run_id: `run-${++counter}`,
    thread_id: THREAD,
    assistant_id: 'asst-1',
    created_at: '',
    updated_at: '',
    status: 'pending',
    metadata: {},
    multitask_strategy: 'enqueue',
    kwargs: { config: { configurable: { graph_id: 'agent' } } } as unknown as Run['kwargs'],
  });
  const runsById = new Map<string, Run>();
  const service = new ThreadProtocolService(
    { stream: { heartbeatMs: 1000, maxBufferBytes: 1 << 20, stallTimeoutMs: 1000 } } as never,
    {
      create: async (_threadId: string, body: Record<string, unknown>) => {
        created.push({ body });
        const run = makeRun();
        runsById.set(run.run_id, run);
        return run;
      },
    } as never,
    { list: async () => [], get: async (id: string) => runsById.get(id) ?? null } as never,
    {
      follow: (runId: string, _afterSeq: number, onEvent: Follow['onEvent'], onDone: Follow['onDone']) => {
        follows.push({ runId, onEvent, onDone });
        return () => undefined;
      },
    } as never,
    {
      get: async () => {
        if (!stored) throw new HttpException({ detail: 'Thread not found' }, 404);
        return stored;
      },
    } as never,
    { get: async () => stored } as never,
    { getState: async () => ({ values: {}, checkpoint: null }) } as never,
    { now: () => 1_000 } as never,
    new OpenStreams(),
  );
  return { service, created, follows };
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  return call.then(
    () => 200,
    (error: HttpException) => error.getStatus(),
  );
}

describe('ThreadProtocolService', () => {
  it('starts an ordinary resumable run on the thread, creating it, and answers its id', async () => {
    const { service, created } = setUp(null);
    const response = await service.command(THREAD, { id: 4, method: 'run.start', params: { assistant_id: 'agent', input: { messages: [] } } });
    expect(response).toEqual({ type: 'success', id: 4, result: { run_id: 'run-1' }, meta: { thread_id: THREAD, applied_through_seq: 1 } });
    expect(created[0].body).toMatchObject({
      assistant_id: 'agent',
      input: { messages: [] },
      stream_resumable: true,
      stream_subgraphs: true,
      if_not_exists: 'create',
      multitask_strategy: 'enqueue',
    });
  });

  it('takes run.start input as the answer on a thread paused on an interrupt', async () => {
    const paused = thread({ status: 'interrupted', interrupts: { task: [{ id: 'int-1', value: 'approve?' }] } });
    const { service, created } = setUp(paused);
    await service.command(THREAD, { id: 1, method: 'run.start', params: { assistant_id: 'agent', input: 'yes' } });
    expect(created[0].body).toMatchObject({ command: { resume: 'yes' } });
    expect(created[0].body).not.toHaveProperty('input');
  });

  it('resumes pending interrupts by id with input.respond, refusing unknown ids (404) and threads with none pending (409)', async () => {
    const paused = thread({ status: 'interrupted', interrupts: { task: [{ id: 'int-1', value: 'a' }, { id: 'int-2', value: 'b' }] } });
    const { service, created } = setUp(paused);
    await service.command(THREAD, {
      id: 1,
      method: 'input.respond',
      params: { responses: [{ interrupt_id: 'int-1', response: 'x' }, { interrupt_id: 'int-2', response: 'y' }], goto: 'agent' },
    });
    expect(created[0].body).toMatchObject({ assistant_id: 'asst-1', command: { resume: { 'int-1': 'x', 'int-2': 'y' }, goto: 'agent' } });
    expect(await statusOf(service.command(THREAD, { id: 2, method: 'input.respond', params: { interrupt_id: 'int-9', response: 1 } }))).toBe(404);
    expect(await statusOf(setUp(thread()).service.command(THREAD, { id: 3, method: 'input.respond', params: { interrupt_id: 'int-1', response: 1 } }))).toBe(409);
  });

  it('follows the runs queued on a thread one at a time, the next once the one before has ended', async () => {
    const { service, follows } = setUp(thread());
    await service.command(THREAD, { id: 1, method: 'run.start', params: { assistant_id: 'agent', input: {} } });
    await service.command(THREAD, { id: 2, method: 'run.start', params: { assistant_id: 'agent', input: {} } });
    expect(follows.map((follow) => follow.runId)).toEqual(['run-1']);
    follows[0].onEvent({ seq: 0, event: 'values', data: '{"n":1}' });
    follows[0].onDone({ status: 'success', output: { n: 1 } });
    await new Promise(setImmediate);
    expect(follows.map((follow) => follow.runId)).toEqual(['run-1', 'run-2']);
    // running, values, completed for the first run; running for the second.
    const replay = await service.command(THREAD, { id: 3, method: 'subscription.subscribe', params: { channels: ['lifecycle', 'values'] } });
    expect(replay.result['replayed_events']).toBe(4);
  });

  it('answers an unknown command with 422 naming the method', async () => {
    const { service } = setUp(thread());
    const error = await service.command(THREAD, { id: 1, method: 'run.explode' }).catch((thrown: HttpException) => thrown);
    expect((error as HttpException).getStatus()).toBe(422);
    expect(((error as HttpException).getResponse() as { detail: string }).detail).toMatch(/^method: unknown command "run.explode"/);
  });
});
