import type { RunnableConfig } from '@langchain/core/runnables';
import type { CheckpointMetadata } from '@langchain/langgraph-checkpoint';

/** Addressing keys of a checkpoint: they say where it is, not what produced it. */
const ADDRESS_KEYS = new Set(['checkpoint_id', 'checkpoint_ns', 'checkpoint_map']);
/** Credentials some graphs take through `configurable`: never copied into stored, searchable metadata. */
const SECRET_LIKE = ['key', 'token', 'secret', 'password', 'auth'];

function isCopied(key: string): boolean {
  if (key.startsWith('__') || ADDRESS_KEYS.has(key)) return false;
  const lower = key.toLowerCase();
  return !SECRET_LIKE.some((part) => lower.includes(part));
}

/**
 * The metadata LangGraph servers store with a checkpoint: the run's `configurable` keys (`run_id`,
 * `thread_id`, `graph_id`, `assistant_id`, `user_id` and the caller's own), then the run's metadata,
 * then what the library wrote (`source`, `step`, `parents`). `getHistory({metadata})` filters on it.
 */
export function checkpointMetadataFor(config: RunnableConfig, metadata: CheckpointMetadata): CheckpointMetadata {
  const fromConfigurable = Object.entries(config.configurable ?? {}).filter(
    ([key, value]) => isCopied(key) && value !== undefined && typeof value !== 'function',
  );
  return { ...Object.fromEntries(fromConfigurable), ...(config.metadata ?? {}), ...metadata } as CheckpointMetadata;
}
