import type { Assistant, RunCreateStatelessDto } from '@runhook/contracts';
import { buildRunKwargs } from './run-kwargs';

const assistant: Assistant = {
  assistant_id: 'a1',
  graph_id: 'agent',
  config: { tags: ['from-assistant'], configurable: { model: 'small', shared: 'assistant' } },
  context: { tenant: 't' },
  metadata: { owner: 'ops' },
  version: 1,
  name: 'agent',
  description: null,
  created_at: '',
  updated_at: '',
};

describe('buildRunKwargs', () => {
  it('merges assistant, thread and request config and adds the ids graphs read from configurable', () => {
    const body = {
      assistant_id: 'agent',
      input: { messages: [] },
      config: { tags: ['req'], configurable: { shared: 'request' } },
      metadata: { m: 1 },
      stream_mode: 'updates',
      checkpoint_id: 'cp1',
      webhook: 'https://example.com/h?token=x',
    } as RunCreateStatelessDto;
    const kwargs = buildRunKwargs(body, { runId: 'r1', threadId: 't1', assistant, threadConfig: { configurable: { thread_level: true } }, temporary: false });
    expect(kwargs.config.configurable).toEqual({
      model: 'small',
      shared: 'request',
      thread_level: true,
      checkpoint_id: 'cp1',
      run_id: 'r1',
      thread_id: 't1',
      graph_id: 'agent',
      assistant_id: 'a1',
    });
    expect(kwargs.config.tags).toEqual(['from-assistant', 'req']);
    expect(kwargs.config['metadata']).toEqual({ owner: 'ops', m: 1 });
    expect(kwargs.stream_mode).toEqual(['updates']);
    expect(kwargs.context).toEqual({ tenant: 't' });
    expect(kwargs.webhook).toBe('https://example.com/h?token=x');
  });

  it('defaults to the values stream mode and records stateless temporariness', () => {
    const kwargs = buildRunKwargs({ assistant_id: 'agent' } as RunCreateStatelessDto, {
      runId: 'r',
      threadId: 't',
      assistant,
      threadConfig: {},
      temporary: true,
    });
    expect(kwargs).toMatchObject({ stream_mode: ['values'], temporary: true, subgraphs: false, resumable: false, input: null });
  });
});
