import type { RunnableConfig } from '@langchain/core/runnables';
import { type Checkpoint, type CheckpointMetadata, type CheckpointTuple, copyCheckpoint, type PendingWrite, WRITES_IDX_MAP } from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { Statement } from 'better-sqlite3';
import { type CheckpointFence, checkpointFailure, fenceOf, StaleAttemptError } from './checkpoint-fence';
import { checkpointMetadataFor } from './checkpoint-metadata';
import { CheckpointSerializer } from './checkpoint-serializer';
import { immediateTransaction } from './prepared';
import type { SqliteConnection } from './sqlite-database';

/** Enough for every fixed statement of the saver (fenced writes of 1 to 16 rows included) plus the `list` variants in use; older ones are recompiled. */
const STATEMENT_CACHE_SIZE = 96;

/**
 * The connection as the official saver sees it: the same connection, except that `prepare` compiles each
 * SQL text once. The stock saver calls `prepare` on every `put` and `putWrites`, and compiling the SQL was a
 * measurable share of a short run's CPU (about a quarter of the saver's cost per checkpoint). The cache is
 * bounded because `list` builds its SQL from the caller's limit and filter.
 */
function compilingOnce(db: SqliteConnection): SqliteConnection {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      statements.set(sql, statement);
    }
    return statement;
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const CHECKPOINT_COLUMNS = '(thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata)';
const WRITE_COLUMNS = '(thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value)';
const WRITE_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?)';
const RUN_HOLDS_ATTEMPT = "SELECT 1 FROM runs WHERE run_id = ? AND attempt = ? AND status = 'running'";

const INSERT_CHECKPOINT = `INSERT OR REPLACE INTO checkpoints ${CHECKPOINT_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?)`;
/** The checkpoint row, inserted only while the fence holds: the check and the write are one statement. */
const INSERT_CHECKPOINT_FENCED = `INSERT OR REPLACE INTO checkpoints ${CHECKPOINT_COLUMNS}
  SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (${RUN_HOLDS_ATTEMPT})`;
const insertWrite = (conflict: 'REPLACE' | 'IGNORE') => `INSERT OR ${conflict} INTO writes ${WRITE_COLUMNS} VALUES ${WRITE_PLACEHOLDERS}`;
/** A task's writes as one fenced statement up to this many rows; more go through a transaction. */
const FENCED_WRITES_MAX_ROWS = 16;
const insertWritesFenced = (conflict: 'REPLACE' | 'IGNORE', rows: number) =>
  `INSERT OR ${conflict} INTO writes ${WRITE_COLUMNS}
  SELECT * FROM (VALUES ${Array.from({ length: rows }, () => WRITE_PLACEHOLDERS).join(', ')}) WHERE EXISTS (${RUN_HOLDS_ATTEMPT})`;

/**
 * The SQLite saver. Reads (`getTuple`, `list`), tables and set-up are the official
 * `@langchain/langgraph-checkpoint-sqlite` saver's, on a connection that compiles each statement once.
 * `put` and `putWrites` are Runhook's: they write the official rows (same tables, columns and conflict
 * rules), serialized by Runhook's `CheckpointSerializer` (the official format, byte for byte), and when the
 * run's worker passes its fence they check, in the write's own transaction, that the run is still `running`
 * under that attempt. `put` also stores the metadata LangGraph servers store (see `checkpointMetadataFor`).
 */
export class RunhookSqliteSaver extends SqliteSaver {
  private readonly connection: SqliteConnection;

  constructor(private readonly raw: SqliteConnection) {
    const connection = compilingOnce(raw);
    super(connection, new CheckpointSerializer());
    this.connection = connection;
  }

  ensureTables(): this {
    this.setup();
    return this;
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    try {
      return await super.getTuple(config);
    } catch (error) {
      throw checkpointFailure(fenceOf(config), error);
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    this.setup();
    const threadId = config.configurable?.['thread_id'] as string | undefined;
    if (!threadId) throw new Error('Missing "thread_id" field in passed "config.configurable".');
    const namespace = (config.configurable?.['checkpoint_ns'] as string | undefined) ?? '';
    const [[type, serialized], [metadataType, serializedMetadata]] = await Promise.all([
      this.serde.dumpsTyped(copyCheckpoint(checkpoint)),
      this.serde.dumpsTyped(checkpointMetadataFor(config, metadata)),
    ]);
    if (type !== metadataType) throw new Error('Failed to serialize checkpoint and metadata to the same type.');
    const row = [threadId, namespace, checkpoint.id, config.configurable?.['checkpoint_id'], type, serialized, serializedMetadata];
    const fence = fenceOf(config);
    if (fence) this.fencedStatement(fence, () => this.connection.prepare(INSERT_CHECKPOINT_FENCED).run(...row, fence.runId, fence.attempt).changes);
    else this.fenced(null, () => this.connection.prepare(INSERT_CHECKPOINT).run(...row));
    return { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    this.setup();
    const { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpointId } = (config.configurable ?? {}) as Record<string, string>;
    if (!threadId) throw new Error('Missing thread_id field in config.configurable.');
    if (!checkpointId) throw new Error('Missing checkpoint_id field in config.configurable.');
    // Special writes (errors, interrupts, resumes) replace an earlier one; ordinary writes are kept once.
    const conflict = writes.every(([channel]) => channel in WRITES_IDX_MAP) ? 'REPLACE' : 'IGNORE';
    const rows = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const [type, serialized] = await this.serde.dumpsTyped(value);
        return [threadId, namespace, checkpointId, taskId, WRITES_IDX_MAP[channel] ?? idx, channel, type, serialized];
      }),
    );
    if (rows.length === 0) return;
    const fence = fenceOf(config);
    if (fence && rows.length <= FENCED_WRITES_MAX_ROWS) {
      const statement = this.connection.prepare(insertWritesFenced(conflict, rows.length));
      // Rows already stored are ignored, so no row written may also mean a repeated write: the fence tells which.
      this.fencedStatement(fence, () => statement.run(...rows.flat(), fence.runId, fence.attempt).changes || (this.holds(fence) ? 1 : 0));
      return;
    }
    const statement = this.connection.prepare(insertWrite(conflict));
    this.fenced(fence, () => {
      for (const row of rows) statement.run(...row);
    });
  }

  private holds(fence: CheckpointFence): boolean {
    return this.connection.prepare(RUN_HOLDS_ATTEMPT).get(fence.runId, fence.attempt) !== undefined;
  }

  /**
   * Runs one fenced statement, which writes nothing unless the run is `running` under the fence's attempt; `write`
   * answers how many rows it wrote. One autocommit statement takes the write lock before it reads, as an IMMEDIATE
   * transaction does, with three statements fewer than a transaction around a check and a write (BEGIN, the check,
   * COMMIT), each a crossing into SQLite.
   */
  private fencedStatement(fence: CheckpointFence, write: () => number): void {
    let written: number;
    try {
      written = write();
    } catch (error) {
      throw checkpointFailure(fence, error);
    }
    if (written === 0) throw new StaleAttemptError(fence);
  }

  /**
   * Runs `write` in one transaction, after checking the fence when there is one. IMMEDIATE: a deferred
   * transaction that reads first and writes second fails at once with SQLITE_BUSY ("database is locked", no busy
   * wait) when another process commits in between, which replicas on one file do all the time.
   */
  private fenced(fence: CheckpointFence | null, write: () => void): void {
    try {
      immediateTransaction(this.raw, () => {
        if (fence && !this.connection.prepare(RUN_HOLDS_ATTEMPT).get(fence.runId, fence.attempt)) throw new StaleAttemptError(fence);
        write();
      });
    } catch (error) {
      throw checkpointFailure(fence, error);
    }
  }
}
