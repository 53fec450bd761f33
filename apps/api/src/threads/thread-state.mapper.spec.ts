import { Annotation, MemorySaver, StateGraph, interrupt } from '@langchain/langgraph';
import { toThreadState } from './thread-state.mapper';

const State = Annotation.Root({ steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
const child = new StateGraph(State)
  .addNode('ask', () => ({ steps: [String(interrupt('continue?'))] }))
  .addEdge('__start__', 'ask')
  .compile();
const parent = new StateGraph(State)
  .addNode('first', () => ({ steps: ['first'] }))
  .addNode('child', child)
  .addEdge('__start__', 'first')
  .addEdge('first', 'child')
  .compile({ checkpointer: new MemorySaver() });

describe('toThreadState', () => {
  const config = { configurable: { thread_id: 'mapper-1' } };
  beforeAll(async () => {
    await parent.invoke({ steps: [] }, config);
  });

  it('gives each task its path, result and the subgraph checkpoint it runs in', async () => {
    const state = toThreadState(await parent.getState(config));
    expect(state.tasks).toHaveLength(1);
    expect(state.tasks[0]).toMatchObject({
      name: 'child',
      path: ['__pregel_pull', 'child'],
      result: null,
      checkpoint: { thread_id: 'mapper-1', checkpoint_ns: expect.stringMatching(/^child:/) },
      state: null,
    });
    // Before the subgraph runs, the servers name only its thread and namespace (no null id or map).
    expect(Object.keys(state.tasks[0].checkpoint ?? {}).sort()).toEqual(['checkpoint_ns', 'thread_id']);
  });

  it('with subgraphs, nests the subgraph state (without thread-level interrupts) and leaves the task checkpoint null', async () => {
    const state = toThreadState(await parent.getState(config, { subgraphs: true }));
    const task = state.tasks[0];
    expect(task.state?.next).toEqual(['ask']);
    expect(task.checkpoint).toBeNull();
    expect(task.state?.checkpoint).toMatchObject({ thread_id: 'mapper-1', checkpoint_ns: expect.stringMatching(/^child:/), checkpoint_id: expect.any(String) });
    expect(task.state).not.toHaveProperty('interrupts');
    expect(task.state?.tasks[0]).toMatchObject({ name: 'ask', path: ['__pregel_pull', 'ask'] });
  });

  it('carries a finished task’s result in the checkpoint that scheduled it', async () => {
    const states = [];
    for await (const snapshot of parent.getStateHistory(config)) if (snapshot.next.includes('first')) states.push(toThreadState(snapshot));
    expect(states).toHaveLength(1);
    expect(states[0].tasks[0]).toMatchObject({ name: 'first', result: { steps: ['first'] } });
  });
});
