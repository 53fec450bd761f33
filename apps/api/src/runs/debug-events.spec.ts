import { Annotation, MemorySaver, StateGraph } from '@langchain/langgraph';
import { shapeLibraryChunk } from './debug-events';

const State = Annotation.Root({ steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
const child = new StateGraph(State).addNode('inner', () => ({ steps: ['inner'] })).addEdge('__start__', 'inner').compile();
const parent = new StateGraph(State).addNode('child', child).addEdge('__start__', 'child').compile({ checkpointer: new MemorySaver() });

async function chunks(mode: 'debug' | 'checkpoints' | 'tasks'): Promise<unknown[]> {
  const out: unknown[] = [];
  const stream = await parent.stream({ steps: [] }, { configurable: { thread_id: `t-${mode}`, __secret_internal: 1 }, streamMode: mode });
  for await (const chunk of stream) out.push(shapeLibraryChunk(mode, chunk));
  return out;
}

describe('shapeLibraryChunk', () => {
  it('gives debug checkpoints their checkpoint, parent_checkpoint and snake-case parent_config', async () => {
    const checkpoints = (await chunks('debug')).filter((chunk) => (chunk as { type: string }).type === 'checkpoint') as {
      payload: Record<string, unknown>;
    }[];
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    const [first, second] = checkpoints.map((chunk) => chunk.payload);
    expect(first).toMatchObject({ checkpoint: { thread_id: 't-debug', checkpoint_ns: '', checkpoint_id: expect.any(String) }, parent_checkpoint: null });
    expect(second['parent_checkpoint']).toEqual(first['checkpoint']);
    expect(second).not.toHaveProperty('parentConfig');
    expect(second['parent_config']).toMatchObject({ configurable: { checkpoint_id: (first['checkpoint'] as { checkpoint_id: string }).checkpoint_id } });
    expect(JSON.stringify(second['config'])).not.toContain('__secret_internal');
  });

  it('points a checkpoint’s subgraph task at the subgraph’s checkpoint namespace instead of its raw config', async () => {
    const payloads = (await chunks('checkpoints')) as { tasks: Record<string, unknown>[] }[];
    const withChild = payloads.find((payload) => payload.tasks.some((task) => task['name'] === 'child'));
    const task = withChild?.tasks.find((candidate) => candidate['name'] === 'child');
    expect(task).toMatchObject({ checkpoint: { thread_id: 't-checkpoints', checkpoint_ns: expect.stringMatching(/^child:/), checkpoint_id: null } });
    expect(task).not.toHaveProperty('state');
  });

  it('leaves other modes as the library streams them', () => {
    expect(shapeLibraryChunk('values', { steps: ['a'] })).toEqual({ steps: ['a'] });
    expect(shapeLibraryChunk('debug', { type: 'task', payload: { id: 'x' } })).toEqual({ type: 'task', payload: { id: 'x' } });
  });
});
