import type { StateSnapshot } from '@langchain/langgraph';
import type { Checkpoint, Interrupt, NestedThreadState, TaskCheckpoint, ThreadState, ThreadTask } from '@runhook/contracts';
import { serializeError, toWireValue } from '../streaming/serialize';

interface ConfigLike {
  configurable?: Record<string, unknown>;
}

/**
 * The checkpoint a task's subgraph config points at. Before the subgraph has run the config knows only its
 * namespace, and the servers then answer just `{thread_id, checkpoint_ns}`: the id and map appear once known.
 */
export function taskConfigToCheckpoint(config: ConfigLike | undefined): TaskCheckpoint | null {
  const configurable = config?.configurable;
  if (!configurable?.['thread_id']) return null;
  const checkpoint: TaskCheckpoint = { thread_id: String(configurable['thread_id']), checkpoint_ns: String(configurable['checkpoint_ns'] ?? '') };
  if (configurable['checkpoint_id']) checkpoint.checkpoint_id = String(configurable['checkpoint_id']);
  if (configurable['checkpoint_map']) checkpoint.checkpoint_map = configurable['checkpoint_map'] as Record<string, unknown>;
  return checkpoint;
}

/** The checkpoint of a state snapshot's config; null when it names none. */
export function configToCheckpoint(config: ConfigLike | undefined): Checkpoint | null {
  const configurable = config?.configurable;
  if (!configurable?.['thread_id'] || !configurable['checkpoint_id']) return null;
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
    path: task.path ? toWireValue<ThreadTask['path']>(task.path) : null,
    // With `subgraphs=true` the state is the subgraph's snapshot (which names its own checkpoint) and, as the
    // servers answer, the task's `checkpoint` is null; otherwise the task knows only the subgraph's config.
    checkpoint: isSnapshot(state) ? null : taskConfigToCheckpoint(state as ConfigLike | undefined),
    state: isSnapshot(state) ? toNestedState(state) : null,
    result: task.result === undefined ? null : toWireValue(task.result),
  };
  return mapped;
}

/** A subgraph's state inside its parent's task: the servers leave out the thread-level `interrupts` there. */
function toNestedState(snapshot: StateSnapshot): NestedThreadState {
  const { interrupts: _interrupts, ...nested } = toThreadState(snapshot);
  return nested;
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
