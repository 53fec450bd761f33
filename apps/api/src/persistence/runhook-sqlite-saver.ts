import type { RunnableConfig } from '@langchain/core/runnables';
import type { Checkpoint, CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { Statement } from 'better-sqlite3';
import { checkpointMetadataFor } from './checkpoint-metadata';
import { CheckpointSerializer } from './checkpoint-serializer';
import type { SqliteConnection } from './sqlite-database';

/** Enough for every fixed statement of the saver plus the `list` variants in use; older ones are recompiled. */
const STATEMENT_CACHE_SIZE = 64;

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

/**
 * The official SQLite saver, unchanged: its reads, writes, tables and serializer. Runhook only gives it a
 * connection that compiles each statement once, creates its tables eagerly (our maintenance queries
 * compile at start), and hands `put` the metadata the servers write (see `checkpointMetadataFor`).
 */
export class RunhookSqliteSaver extends SqliteSaver {
  constructor(db: SqliteConnection) {
    super(compilingOnce(db), new CheckpointSerializer());
  }

  ensureTables(): this {
    this.setup();
    return this;
  }

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    return super.put(config, checkpoint, checkpointMetadataFor(config, metadata));
  }
}
