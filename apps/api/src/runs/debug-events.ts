import { configToCheckpoint, taskConfigToCheckpoint } from '../threads/thread-state.mapper';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A config as clients see it: no `__pregel_*` internals, no callbacks. */
function publicConfig(config: unknown): unknown {
  if (!isObject(config) || !isObject(config['configurable'])) return config;
  const configurable = Object.fromEntries(Object.entries(config['configurable']).filter(([key]) => !key.startsWith('__')));
  const { callbacks: _callbacks, ...rest } = config;
  return { ...rest, configurable };
}

/** A task of a checkpoint or a task result: its subgraph config becomes a `checkpoint`. */
function shapeTask(task: unknown): unknown {
  if (!isObject(task) || !isObject(task['state'])) return task;
  const checkpoint = taskConfigToCheckpoint(task['state'] as { configurable?: Json });
  if (!checkpoint) return task;
  const { state: _state, ...rest } = task;
  return { ...rest, checkpoint };
}

/**
 * A checkpoint as the servers stream it: `checkpoint` and `parent_checkpoint` beside the configs,
 * `parent_config` in snake case, and tasks pointing at their subgraph checkpoints.
 */
export function shapeCheckpoint(payload: unknown): unknown {
  if (!isObject(payload)) return payload;
  const { parentConfig, ...rest } = payload;
  return {
    ...rest,
    config: publicConfig(payload['config']),
    parent_config: publicConfig(parentConfig),
    checkpoint: configToCheckpoint(payload['config'] as { configurable?: Json }),
    parent_checkpoint: configToCheckpoint(parentConfig as { configurable?: Json } | undefined),
    tasks: Array.isArray(payload['tasks']) ? payload['tasks'].map(shapeTask) : [],
  };
}

/** The wire form of a `debug`, `checkpoints` or `tasks` chunk; other modes pass unchanged. */
export function shapeLibraryChunk(mode: string, data: unknown): unknown {
  if (mode === 'checkpoints') return shapeCheckpoint(data);
  if (mode === 'tasks') return shapeTask(data);
  if (mode !== 'debug' || !isObject(data)) return data;
  if (data['type'] === 'checkpoint') return { ...data, payload: shapeCheckpoint(data['payload']) };
  if (data['type'] === 'task_result') return { ...data, payload: shapeTask(data['payload']) };
  return data;
}
