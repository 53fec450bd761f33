import { RunEventTranslator, splitEventName } from './run-event-translator';

const event = (name: string, data: unknown) => ({ event: name, data: JSON.stringify(data) });
const chunk = (id: string, content: string, extra: Record<string, unknown> = {}) => [{ type: 'ai', id, content, ...extra }, { langgraph_node: 'agent' }];

describe('RunEventTranslator', () => {
  it('reads the subgraph namespace from the event name', () => {
    expect(splitEventName('values|child:1234|leaf:9')).toEqual({ mode: 'values', namespace: ['child:1234', 'leaf:9'] });
    expect(splitEventName('updates')).toEqual({ mode: 'updates', namespace: [] });
  });

  it('strips __interrupt__ from state into one input.requested per interrupt, even when values and updates both announce it', () => {
    const translator = new RunEventTranslator();
    const interrupt = [{ id: 'int-1', value: { question: 'approve?' } }];
    const fromUpdates = translator.translate(event('updates', { __interrupt__: interrupt }));
    const fromValues = translator.translate(event('values', { messages: [], __interrupt__: interrupt }));
    expect(fromUpdates).toEqual([{ method: 'input.requested', namespace: [], data: { interrupt_id: 'int-1', payload: { question: 'approve?' } } }]);
    expect(fromValues).toEqual([{ method: 'values', namespace: [], data: { messages: [] } }]);
    expect(translator.interrupted).toBe(true);
    expect(translator.terminal({ status: 'success', output: {} }, 'agent')).toEqual({ method: 'lifecycle', namespace: [], data: { event: 'interrupted', graph_name: 'agent' } });
  });

  it('names the node of each update and drops metadata and error events (the run end says how it ended)', () => {
    const translator = new RunEventTranslator();
    expect(translator.translate(event('updates|child:1', { agent: { n: 1 } }))).toEqual([
      { method: 'updates', namespace: ['child:1'], node: 'agent', data: { node: 'agent', values: { n: 1 } } },
    ]);
    expect(translator.translate(event('metadata', { run_id: 'r' }))).toEqual([]);
    expect(translator.translate(event('error', { error: 'Error', message: 'x' }))).toEqual([]);
  });

  it('turns message tuples into the message lifecycle, finishing a message when the next starts or the state moves on', () => {
    const translator = new RunEventTranslator();
    const first = [...translator.translate(event('messages', chunk('m1', 'echo: '))), ...translator.translate(event('messages', chunk('m1', 'hi')))];
    expect(first.map((body) => (body.data as { event: string }).event)).toEqual(['message-start', 'content-block-start', 'content-block-delta', 'content-block-delta']);
    expect(first[0]).toEqual({ method: 'messages', namespace: [], node: 'agent', data: { event: 'message-start', role: 'ai', id: 'm1' } });
    const next = translator.translate(event('messages', chunk('m2', 'x')));
    expect(next.slice(0, 2).map((body) => body.data)).toEqual([
      { event: 'content-block-finish', index: 0, content: { type: 'text', text: 'echo: hi' } },
      { event: 'message-finish' },
    ]);
    const closed = translator.translate(event('values', { messages: [] }));
    expect(closed.map((body) => (body.data as { event?: string }).event)).toEqual(['content-block-finish', 'message-finish', undefined]);
    expect(translator.finish()).toEqual([]);
  });

  it('sends gathered tool call chunks as finished tool_call blocks when the message ends', () => {
    const translator = new RunEventTranslator();
    translator.translate(event('messages', chunk('m1', '', { tool_call_chunks: [{ index: 0, id: 'call-1', name: 'search', args: '{"q":' }] })));
    translator.translate(event('messages', chunk('m1', '', { tool_call_chunks: [{ index: 0, args: '"sf"}' }], usage_metadata: { input_tokens: 3 } })));
    const finished = translator.finish().map((body) => body.data);
    expect(finished).toEqual([
      { event: 'content-block-start', index: 0, content: { type: 'tool_call_chunk', id: 'call-1', name: 'search', args: '{"q":"sf"}' } },
      { event: 'content-block-finish', index: 0, content: { type: 'tool_call', id: 'call-1', name: 'search', args: { q: 'sf' } } },
      { event: 'message-finish', usage: { input_tokens: 3 } },
    ]);
  });

  it('gives checkpoints their light envelope and wraps custom writes', () => {
    const translator = new RunEventTranslator();
    const checkpoint = { checkpoint: { checkpoint_id: 'c2' }, parent_checkpoint: { checkpoint_id: 'c1' }, metadata: { step: 1, source: 'loop' }, values: { big: true } };
    expect(translator.translate(event('checkpoints', checkpoint))).toEqual([{ method: 'checkpoints', namespace: [], data: { id: 'c2', parent_id: 'c1', step: 1, source: 'loop' } }]);
    expect(translator.translate(event('custom', { progress: 1 }))).toEqual([{ method: 'custom', namespace: [], data: { payload: { progress: 1 } } }]);
  });

  it('ends failed runs as failed with their message, cancelled ones as interrupted, finished ones as completed', () => {
    const translator = new RunEventTranslator();
    expect(translator.terminal({ status: 'error', output: { __error__: { error: 'Error', message: 'requested failure' } } }, 'agent').data).toEqual({
      event: 'failed',
      graph_name: 'agent',
      error: 'requested failure',
    });
    expect((translator.terminal({ status: 'interrupted', output: null }, 'agent').data as { event: string }).event).toBe('interrupted');
    expect((translator.terminal({ status: 'success', output: { messages: [] } }, 'agent').data as { event: string }).event).toBe('completed');
    expect((translator.terminal({ status: 'success', output: { __interrupt__: [{ id: 'x' }] } }, 'agent').data as { event: string }).event).toBe('interrupted');
  });
});
