import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type PgClient, type PgPool, withTransaction } from '../persistence/postgres/pg-pool';
import { CheckpointMaintenance } from './checkpoint-maintenance';

/**
 * Works on the tables of `@langchain/langgraph-checkpoint-postgres` (checkpoints, checkpoint_blobs,
 * checkpoint_writes), set up in the same schema as ours. Channel values live in checkpoint_blobs,
 * keyed by (channel, version) rather than by checkpoint, and are written with ON CONFLICT DO NOTHING.
 */
@Injectable()
export class PostgresCheckpointMaintenance extends CheckpointMaintenance {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {
    super();
  }

  async copyThread(fromThreadId: string, toThreadId: string): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata)
         SELECT $2, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata FROM checkpoints WHERE thread_id = $1
         ON CONFLICT DO NOTHING`,
        [fromThreadId, toThreadId],
      );
      await client.query(
        `INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
         SELECT $2, checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs WHERE thread_id = $1
         ON CONFLICT DO NOTHING`,
        [fromThreadId, toThreadId],
      );
      await client.query(
        `INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
         SELECT $2, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob FROM checkpoint_writes WHERE thread_id = $1
         ON CONFLICT DO NOTHING`,
        [fromThreadId, toThreadId],
      );
    });
  }

  async deleteAfter(threadId: string, afterCheckpointId: string | null): Promise<void> {
    // Checkpoint ids are time-ordered (uuid6), so "newer" is a string comparison.
    const bound = afterCheckpointId ?? '';
    await withTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM checkpoints WHERE thread_id = $1 AND checkpoint_id > $2', [threadId, bound]);
      await client.query('DELETE FROM checkpoint_writes WHERE thread_id = $1 AND checkpoint_id > $2', [threadId, bound]);
      // Blobs only the deleted checkpoints referenced must go too: a later run reaching the same
      // channel version would otherwise find the rolled-back value (the saver never overwrites a blob).
      await deleteUnreferencedBlobs(client, threadId);
    });
  }

  async keepLatest(threadId: string): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query(
        `DELETE FROM checkpoints c WHERE c.thread_id = $1 AND c.checkpoint_id < (
           SELECT MAX(k.checkpoint_id) FROM checkpoints k WHERE k.thread_id = c.thread_id AND k.checkpoint_ns = c.checkpoint_ns)`,
        [threadId],
      );
      await client.query(
        `DELETE FROM checkpoint_writes w WHERE w.thread_id = $1 AND NOT EXISTS (
           SELECT 1 FROM checkpoints c WHERE c.thread_id = w.thread_id AND c.checkpoint_ns = w.checkpoint_ns AND c.checkpoint_id = w.checkpoint_id)`,
        [threadId],
      );
      await deleteUnreferencedBlobs(client, threadId);
    });
  }

  async deleteThread(threadId: string): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM checkpoints WHERE thread_id = $1', [threadId]);
      await client.query('DELETE FROM checkpoint_blobs WHERE thread_id = $1', [threadId]);
      await client.query('DELETE FROM checkpoint_writes WHERE thread_id = $1', [threadId]);
    });
  }

  async latestCheckpointId(threadId: string): Promise<string | null> {
    const result = await this.pool.query<{ checkpoint_id: string }>(
      "SELECT checkpoint_id FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1",
      [threadId],
    );
    return result.rows[0]?.checkpoint_id ?? null;
  }
}

/** Channel values no remaining checkpoint of the thread points at. */
async function deleteUnreferencedBlobs(client: PgClient, threadId: string): Promise<void> {
  await client.query(
    `DELETE FROM checkpoint_blobs b WHERE b.thread_id = $1 AND NOT EXISTS (
       SELECT 1 FROM checkpoints c CROSS JOIN LATERAL jsonb_each_text(c.checkpoint -> 'channel_versions') v
       WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns AND v.key = b.channel AND v.value = b.version)`,
    [threadId],
  );
}
