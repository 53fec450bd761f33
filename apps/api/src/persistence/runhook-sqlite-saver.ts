import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';

/** The official SQLite saver, with its tables created eagerly so our maintenance queries can compile at start. */
export class RunhookSqliteSaver extends SqliteSaver {
  ensureTables(): this {
    this.setup();
    return this;
  }
}
