import type { RunnableConfig } from '@langchain/core/runnables';
import type { CheckpointMetadata } from '@langchain/langgraph-checkpoint';

/** Addressing keys of a checkpoint: they say where it is, not what produced it. */
const ADDRESS_KEYS = new Set(['checkpoint_id', 'checkpoint_ns', 'checkpoint_map']);
/** Credentials some graphs take through `configurable`: never copied into stored, searchable metadata. */
const SECRET_LIKE = ['key', 'token', 'secret', 'password', 'auth'];

/** Decisions per key: every checkpoint of every run asks about the same few `configurable` keys. */
const copiedKeys = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 1_000;

function isCopied(key: string): boolean {
  let copied = copiedKeys.get(key);
  if (copied === undefined) {
    const lower = key.toLowerCase();
    copied = !key.startsWith('__') && !ADDRESS_KEYS.has(key) && !SECRET_LIKE.some((part) => lower.includes(part));
    // Callers choose `configurable` keys; past the bound they are decided afresh, never remembered without limit.
    if (copiedKeys.size < MAX_REMEMBERED_KEYS) copiedKeys.set(key, copied);
  }
  return copied;
}

/**
 * The metadata LangGraph servers store with a checkpoint: the run's `configurable` keys (`run_id`,
 * `thread_id`, `graph_id`, `assistant_id`, `user_id` and the caller's own), then the run's metadata,
 * then what the library wrote (`source`, `step`, `parents`). `getHistory({metadata})` filters on it.
 */
export function checkpointMetadataFor(config: RunnableConfig, metadata: CheckpointMetadata): CheckpointMetadata {
  const merged: Record<string, unknown> = {};
  const configurable = config.configurable ?? {};
  for (const key in configurable) {
    const value: unknown = configurable[key];
    if (value !== undefined && typeof value !== 'function' && Object.hasOwn(configurable, key) && isCopied(key)) merged[key] = value;
  }
  return Object.assign(merged, config.metadata, metadata) as CheckpointMetadata;
}
