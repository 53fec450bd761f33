import type { Statement, Transaction } from 'better-sqlite3';
import type { SqliteConnection } from './sqlite-database';

const caches = new WeakMap<SqliteConnection, Map<string, Statement>>();

/** Compiles each SQL text once per connection: the run hot path never re-parses a query. */
export function prepared(db: SqliteConnection, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

type Work = (work: () => unknown) => unknown;
const runners = new WeakMap<SqliteConnection, Transaction<Work>>();

/**
 * Runs `work` in an IMMEDIATE transaction (a savepoint when one is open), through one transaction function per
 * connection. better-sqlite3 builds four wrappers each time `db.transaction()` is called, about 5 µs, and the run
 * path opens some ten transactions per run; its wrappers hold no state, so one serves every call, nested ones too.
 */
export function immediateTransaction<T>(db: SqliteConnection, work: () => T): T {
  let runner = runners.get(db);
  if (!runner) {
    runner = db.transaction((inner: () => unknown) => inner());
    runners.set(db, runner);
  }
  return runner.immediate(work) as T;
}
