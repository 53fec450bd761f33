import { Inject, Injectable } from '@nestjs/common';
import { prepared } from '../persistence/prepared';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import { CheckpointMaintenance } from './checkpoint-maintenance';

/** Works on the tables of `@langchain/langgraph-checkpoint-sqlite`, which shares our connection. */
@Injectable()
export class SqliteCheckpointMaintenance extends CheckpointMaintenance {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {
    super();
  }

  async copyThread(fromThreadId: string, toThreadId: string): Promise<void> {
    const copy = this.db.transaction(() => {
      prepared(
        this.db,
        `INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata)
         SELECT ?, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata FROM checkpoints WHERE thread_id = ?`,
      ).run(toThreadId, fromThreadId);
      prepared(
        this.db,
        `INSERT INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value)
         SELECT ?, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value FROM writes WHERE thread_id = ?`,
      ).run(toThreadId, fromThreadId);
    });
    copy();
  }

  async deleteAfter(threadId: string, afterCheckpointId: string | null): Promise<void> {
    const remove = this.db.transaction(() => {
      // Checkpoint ids are time-ordered (uuid6), so "newer" is a string comparison.
      const bound = afterCheckpointId ?? '';
      prepared(this.db, 'DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id > ?').run(threadId, bound);
      prepared(this.db, 'DELETE FROM writes WHERE thread_id = ? AND checkpoint_id > ?').run(threadId, bound);
    });
    remove();
  }

  async deleteThread(threadId: string): Promise<void> {
    const remove = this.db.transaction(() => {
      prepared(this.db, 'DELETE FROM checkpoints WHERE thread_id = ?').run(threadId);
      prepared(this.db, 'DELETE FROM writes WHERE thread_id = ?').run(threadId);
    });
    remove();
  }

  async keepLatest(threadId: string): Promise<void> {
    const prune = this.db.transaction(() => {
      prepared(
        this.db,
        `DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id < (
           SELECT MAX(k.checkpoint_id) FROM checkpoints k WHERE k.thread_id = checkpoints.thread_id AND k.checkpoint_ns = checkpoints.checkpoint_ns)`,
      ).run(threadId);
      prepared(
        this.db,
        `DELETE FROM writes WHERE thread_id = ? AND NOT EXISTS (
           SELECT 1 FROM checkpoints c WHERE c.thread_id = writes.thread_id AND c.checkpoint_ns = writes.checkpoint_ns
           AND c.checkpoint_id = writes.checkpoint_id)`,
      ).run(threadId);
    });
    prune();
  }

  async latestCheckpointId(threadId: string): Promise<string | null> {
    const row = prepared(
      this.db,
      "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1",
    ).get(threadId) as { checkpoint_id: string } | undefined;
    return row?.checkpoint_id ?? null;
  }
}
