import type { RunnableConfig } from '@langchain/core/runnables';
import { type ChannelVersions, type Checkpoint, type CheckpointMetadata, type CheckpointTuple, type PendingWrite, WRITES_IDX_MAP } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { type CheckpointFence, checkpointFailure, fenceOf, StaleAttemptError } from '../checkpoint-fence';
import { checkpointMetadataFor } from '../checkpoint-metadata';
import { CheckpointSerializer } from '../checkpoint-serializer';
import { type PgClient, type PgPool, withTransaction } from './pg-pool';

// The official saver's statements, on its tables in the connection's current schema (where it set them up).
const UPSERT_BLOB = `INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
  VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING`;
const UPSERT_CHECKPOINT = `INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`;
const WRITE_COLUMNS = 'INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';
const UPSERT_WRITE = `${WRITE_COLUMNS} ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
  DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob`;
const INSERT_WRITE = `${WRITE_COLUMNS} ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO NOTHING`;
// FOR SHARE: a takeover (which updates the run's attempt) waits until this write has committed.
const RUN_HOLDS_ATTEMPT = "SELECT 1 FROM runs WHERE run_id = $1 AND attempt = $2 AND status = 'running' FOR SHARE";

/**
 * The PostgreSQL saver. Reads (`getTuple`, `list`), tables, their migrations and the per-channel blob
 * layout are the official `@langchain/langgraph-checkpoint-postgres` saver's; its (de)serialization goes
 * through Runhook's `CheckpointSerializer` (the official format, byte for byte). `put` and `putWrites` are
 * Runhook's: the official rows and conflict rules, built with the official saver's own dump helpers, in one
 * transaction that first checks the run's fence when its worker passed one. `put` also stores the metadata
 * LangGraph servers store (see `checkpointMetadataFor`).
 */
export class RunhookPostgresSaver extends PostgresSaver {
  constructor(
    private readonly connections: PgPool,
    options: { schema: string },
  ) {
    super(connections, new CheckpointSerializer(), options);
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    try {
      return await super.getTuple(config);
    } catch (error) {
      throw checkpointFailure(fenceOf(config), error);
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error('Missing "configurable" field in "config" param');
    const { thread_id: threadId, checkpoint_ns: namespace = '', checkpoint_id: parentId } = config.configurable as Record<string, string>;
    // Only the channels whose version changed get a new blob, as in the official saver.
    const [blobs, storedMetadata] = await Promise.all([
      this._dumpBlobs(threadId, namespace, checkpoint.channel_values, newVersions),
      this._dumpMetadata(checkpointMetadataFor(config, metadata)),
    ]);
    const stored = this._dumpCheckpoint(checkpoint);
    await this.fenced(fenceOf(config), async (client) => {
      for (const blob of blobs) await client.query(UPSERT_BLOB, blob);
      await client.query(UPSERT_CHECKPOINT, [threadId, namespace, checkpoint.id, parentId, stored, storedMetadata]);
    });
    return { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpointId } = (config.configurable ?? {}) as Record<string, string>;
    // Special writes (errors, interrupts, resumes) replace an earlier one; ordinary writes are kept once.
    const query = writes.every(([channel]) => channel in WRITES_IDX_MAP) ? UPSERT_WRITE : INSERT_WRITE;
    const rows = await this._dumpWrites(threadId, namespace, checkpointId, taskId, writes);
    await this.fenced(fenceOf(config), async (client) => {
      for (const row of rows) await client.query(query, row);
    });
  }

  private async fenced(fence: CheckpointFence | null, write: (client: PgClient) => Promise<void>): Promise<void> {
    await withTransaction(this.connections, async (client) => {
      if (fence && (await client.query(RUN_HOLDS_ATTEMPT, [fence.runId, fence.attempt])).rowCount === 0) throw new StaleAttemptError(fence);
      await write(client);
    }).catch((error: unknown) => {
      throw checkpointFailure(fence, error);
    });
  }
}
