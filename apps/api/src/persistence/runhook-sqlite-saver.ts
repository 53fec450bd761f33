import type { RunnableConfig } from '@langchain/core/runnables';
import {
  type Checkpoint,
  type CheckpointMetadata,
  type PendingWrite,
  WRITES_IDX_MAP,
  copyCheckpoint,
} from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { Statement } from 'better-sqlite3';
import { checkpointMetadataFor } from './checkpoint-metadata';

/**
 * The official SQLite saver, with its tables created eagerly (our maintenance queries compile at
 * start) and its two write paths on statements compiled once: the stock saver re-parses the SQL of
 * every checkpoint and write, a measurable share of a short run's CPU. Rows are the same as the stock
 * saver writes, so its reads (getTuple, list) work unchanged; the metadata is the servers' (see
 * `checkpointMetadataFor`).
 */
export class RunhookSqliteSaver extends SqliteSaver {
  private insertCheckpoint: Statement | null = null;
  private readonly insertWrite = new Map<boolean, Statement>();

  ensureTables(): this {
    this.setup();
    return this;
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    this.setup();
    const configurable = config.configurable;
    const threadId = configurable?.['thread_id'];
    if (!threadId) throw new Error('Missing "thread_id" field in passed "config.configurable".');
    const checkpointNs = (configurable?.['checkpoint_ns'] as string | undefined) ?? '';
    const [[checkpointType, serializedCheckpoint], [metadataType, serializedMetadata]] = await Promise.all([
      this.serde.dumpsTyped(copyCheckpoint(checkpoint)),
      this.serde.dumpsTyped(checkpointMetadataFor(config, metadata)),
    ]);
    if (checkpointType !== metadataType) throw new Error('Failed to serialize checkpoint and metadata to the same type.');
    this.insertCheckpoint ??= this.db.prepare(
      `INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertCheckpoint.run(
      threadId,
      checkpointNs,
      checkpoint.id,
      configurable?.['checkpoint_id'],
      checkpointType,
      serializedCheckpoint,
      serializedMetadata,
    );
    return { configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    this.setup();
    const configurable = config.configurable;
    if (!configurable?.['thread_id']) throw new Error('Missing thread_id field in config.configurable.');
    if (!configurable['checkpoint_id']) throw new Error('Missing checkpoint_id field in config.configurable.');
    // Special channels (errors, interrupts...) replace an earlier write of the same slot; others keep the first.
    const replace = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    let statement = this.insertWrite.get(replace);
    if (!statement) {
      statement = this.db.prepare(
        `INSERT ${replace ? 'OR REPLACE' : 'OR IGNORE'} INTO writes
         (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.insertWrite.set(replace, statement);
    }
    const rows = await Promise.all(
      writes.map(async ([channel, value], index) => {
        const [type, serialized] = await this.serde.dumpsTyped(value);
        return [
          configurable['thread_id'],
          configurable['checkpoint_ns'],
          configurable['checkpoint_id'],
          taskId,
          WRITES_IDX_MAP[channel] ?? index,
          channel,
          type,
          serialized,
        ];
      }),
    );
    const insert = statement;
    this.db.transaction(() => {
      for (const row of rows) insert.run(...row);
    })();
  }
}
