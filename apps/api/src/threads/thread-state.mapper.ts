import type { StateSnapshot } from '@langchain/langgraph';
import type { Checkpoint, Interrupt, ThreadState, ThreadTask } from '@runhook/contracts';
import { serializeError, toWireValue } from '../streaming/serialize';

interface ConfigLike {
  configurable?: Record<string, unknown>;
}

export function configToCheckpoint(config: ConfigLike | undefined): Checkpoint | null {
  const configurable = config?.configurable;
  if (!configurable?.['checkpoint_id']) return null;
  return {
    thread_id: String(configurable['thread_id']),
    checkpoint_ns: String(configurable['checkpoint_ns'] ?? ''),
    checkpoint_id: String(configurable['checkpoint_id']),
    checkpoint_map: (configurable['checkpoint_map'] as Record<string, unknown> | undefined) ?? null,
  };
}

function isSnapshot(value: unknown): value is StateSnapshot {
  return typeof value === 'object' && value !== null && 'values' in value && 'next' in value;
}

function toTask(task: StateSnapshot['tasks'][number]): ThreadTask {
  const state = task.state;
  const mapped: ThreadTask = {
    id: task.id,
    name: task.name,
    error: task.error ? serializeError(task.error).message : null,
    interrupts: toWireValue<Interrupt[]>(task.interrupts),
    checkpoint: isSnapshot(state) ? configToCheckpoint(state.config) : configToCheckpoint(state as ConfigLike | undefined),
    state: isSnapshot(state) ? toThreadState(state) : null,
  };
  if (task.result !== undefined) mapped.result = toWireValue(task.result);
  return mapped;
}

/** LangGraph.js's StateSnapshot in the wire shape of `GET /threads/{id}/state`. */
export function toThreadState(snapshot: StateSnapshot): ThreadState {
  const tasks = snapshot.tasks.map(toTask);
  return {
    values: toWireValue(snapshot.values ?? {}),
    next: [...snapshot.next],
    tasks,
    checkpoint: configToCheckpoint(snapshot.config) as Checkpoint,
    metadata: toWireValue(snapshot.metadata ?? null),
    created_at: snapshot.createdAt ?? null,
    parent_checkpoint: configToCheckpoint(snapshot.parentConfig),
    interrupts: tasks.flatMap((task) => task.interrupts),
  };
}

export function emptyThreadState(threadId: string): ThreadState {
  return {
    values: {},
    next: [],
    tasks: [],
    checkpoint: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: '', checkpoint_map: null },
    metadata: {},
    created_at: null,
    parent_checkpoint: null,
    interrupts: [],
  };
}
