import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQLITE_MIGRATIONS } from './sqlite-migrations';

export type SqliteConnection = Database.Database;

/** `RUNHOOK_SQLITE_SYNCHRONOUS`: how hard a run end and an outbox write are pushed to the disk. */
export type SqliteSynchronous = 'normal' | 'full';

/** Connections opened with `full` (a pragma is applied when its statement is compiled, so it is not kept prepared). */
const durableConnections = new WeakSet<SqliteConnection>();

/**
 * Opens the embedded store: WAL so readers never block the single writer, and a busy timeout so several
 * processes can share one file. Every commit runs at `synchronous = NORMAL`, which survives a process
 * crash (kill -9) without an fsync per commit; the commits that end runs or write the outbox go through
 * `commitDurably`, which with `full` (the default) fsyncs the WAL before it returns.
 */
export function openSqlite(path: string, options: { synchronous?: SqliteSynchronous } = {}): SqliteConnection {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  if ((options.synchronous ?? 'full') === 'full') durableConnections.add(db);
  return db;
}

/**
 * Runs a write transaction whose commit is acknowledged to someone (a run end, a delivery row or its
 * outcome). On a `full` connection it commits at `synchronous = FULL`: in WAL mode that fsyncs the WAL,
 * so the commit, and every commit before it in the log, survives power loss, not only a crash. The
 * setting is per connection, hence switched around the commit rather than set once for all of them:
 * checkpoints, claims and lease renewals stay at NORMAL, and a crash or power cut among those only
 * costs a run its retry from the last durable point. `commit` must open and close its own transaction.
 */
export function commitDurably<T>(db: SqliteConnection, commit: () => T): T {
  if (!durableConnections.has(db) || db.inTransaction) return commit();
  db.exec('PRAGMA synchronous = FULL');
  try {
    return commit();
  } finally {
    db.exec('PRAGMA synchronous = NORMAL');
  }
}

function migrate(db: SqliteConnection): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((row) => row.version),
  );
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    // IMMEDIATE takes the write lock first, so two processes starting together migrate once.
    const apply = db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
      if (again) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, new Date().toISOString());
    });
    apply.immediate();
  }
}
