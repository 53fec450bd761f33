import type { StateSnapshot } from '@langchain/langgraph';
import type { Checkpoint, Interrupt, TaskCheckpoint, ThreadState, ThreadTask } from '@runhook/contracts';
import { serializeError, toWireValue } from '../streaming/serialize';

interface ConfigLike {
  configurable?: Record<string, unknown>;
}

/**
 * The checkpoint a config points at. A task's subgraph config, before the subgraph has run, knows
 * only the namespace, so its `checkpoint_id` may be null, as the servers answer.
 */
export function taskConfigToCheckpoint(config: ConfigLike | undefined): TaskCheckpoint | null {
  const configurable = config?.configurable;
  if (!configurable?.['thread_id']) return null;
  return {
    thread_id: String(configurable['thread_id']),
    checkpoint_ns: String(configurable['checkpoint_ns'] ?? ''),
    checkpoint_id: configurable['checkpoint_id'] ? String(configurable['checkpoint_id']) : null,
    checkpoint_map: (configurable['checkpoint_map'] as Record<string, unknown> | undefined) ?? null,
  };
}

/** The checkpoint of a state snapshot's config; null when it names none. */
export function configToCheckpoint(config: ConfigLike | undefined): Checkpoint | null {
  const checkpoint = config?.configurable?.['checkpoint_id'] ? taskConfigToCheckpoint(config) : null;
  return checkpoint?.checkpoint_id ? { ...checkpoint, checkpoint_id: checkpoint.checkpoint_id } : null;
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
    path: task.path ? toWireValue<ThreadTask['path']>(task.path) : null,
    // With `subgraphs=true` the state is the subgraph's snapshot; otherwise only its config.
    checkpoint: isSnapshot(state) ? configToCheckpoint(state.config) : taskConfigToCheckpoint(state as ConfigLike | undefined),
    state: isSnapshot(state) ? toThreadState(state) : null,
    result: task.result === undefined ? null : toWireValue(task.result),
  };
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
