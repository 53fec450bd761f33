import { join } from 'node:path';
import { MemorySaver } from '@langchain/langgraph';
import { UnprocessableEntityException } from '@nestjs/common';
import type { Thread } from '@runhook/contracts';
import { ManualClock } from '@runhook/testing';
import type { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { GraphRegistry } from '../graphs/graph-registry.service';
import { factoryConfigOf, ThreadStateService } from './thread-state.service';
import type { ThreadsRepository } from './threads.repository';
import type { ThreadsService } from './threads.service';

const FACTORY = { modulePath: join(__dirname, '../../test/fixtures/dynamic/graph.js'), exportName: 'makeGraph' };

function threadWith(config: Thread['config']): Thread {
  const now = '2026-01-01T00:00:00.000Z';
  return {
    thread_id: '0190f0b4-0000-7000-8000-000000000001',
    created_at: now,
    updated_at: now,
    state_updated_at: now,
    metadata: { graph_id: 'dynamic' },
    status: 'idle',
    config,
    values: null,
    interrupts: {},
  };
}

/** The service over a real registry and checkpointer; only the thread row is held in memory here. */
function serviceFor(thread: Thread): ThreadStateService {
  const config = { langgraph: { graphs: { dynamic: FACTORY } } } as unknown as AppConfig;
  const graphs = new GraphRegistry(config, new MemorySaver());
  const threads = { get: async () => thread } as unknown as ThreadsService;
  const repository = { hasActiveRun: async () => false, saveState: async () => undefined } as unknown as ThreadsRepository;
  return new ThreadStateService(threads, repository, graphs, new ManualClock() as unknown as Clock);
}

describe('ThreadStateService with a factory graph', () => {
  it('builds the factory with the configurable the thread stored from its run, and its own id', () => {
    const thread = threadWith({ tags: ['t'], configurable: { nodeName: 'assistant', thread_id: 'stale' } });
    expect(factoryConfigOf(thread)).toEqual({ tags: ['t'], configurable: { nodeName: 'assistant', thread_id: thread.thread_id } });
  });

  it('updates the state as a node that only the thread config creates', async () => {
    const thread = threadWith({ configurable: { nodeName: 'assistant' } });
    const service = serviceFor(thread);

    await service.updateState(thread.thread_id, { values: { trail: 'update' }, as_node: 'assistant' });

    const state = await service.getState(thread.thread_id);
    expect(state.values).toEqual({ trail: ['update'] });
    await expect(service.history(thread.thread_id, {})).resolves.toHaveLength(1);
  });

  it('takes `as_node: null` as no node named, as the servers do, not as a node called null (a 500 found by fuzzing)', async () => {
    const thread = threadWith({ configurable: { nodeName: 'assistant' } });
    const service = serviceFor(thread);
    await service.updateState(thread.thread_id, { values: { trail: 'first' }, as_node: 'assistant' });

    await service.updateState(thread.thread_id, { values: { trail: 'second' }, as_node: null } as never);

    expect((await service.getState(thread.thread_id)).values).toEqual({ trail: ['first', 'second'] });
  });

  it('answers an update naming a node the graph lacks as the client mistake it is (422), not a server error', async () => {
    const thread = threadWith({});
    const update = serviceFor(thread).updateState(thread.thread_id, { values: { trail: 'x' }, as_node: 'assistant' });

    const error: unknown = await update.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableEntityException);
    expect((error as UnprocessableEntityException).getResponse()).toEqual({ detail: expect.stringContaining('"assistant"') });
  });
});
