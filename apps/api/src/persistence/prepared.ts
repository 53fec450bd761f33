import type { Statement } from 'better-sqlite3';
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
