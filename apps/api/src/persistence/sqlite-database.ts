import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQLITE_MIGRATIONS } from './sqlite-migrations';
import { WalSync } from './wal-sync';

export type SqliteConnection = Database.Database;

/** `RUNHOOK_SQLITE_SYNCHRONOUS`: how hard a run end and an outbox write are pushed to the disk. */
export type SqliteSynchronous = 'normal' | 'full';

/** The WAL of each connection opened with `full`. */
const walSyncs = new WeakMap<SqliteConnection, WalSync>();

/**
 * Opens the embedded store: WAL so readers never block the single writer, and a busy timeout so several
 * processes can share one file. Commits run at `synchronous = NORMAL`, which survives a process crash
 * (kill -9) without an fsync per commit; the commits that end runs or write the outbox go through
 * `commitDurably`, which with `full` (the default) waits for the WAL to be on disk.
 */
export function openSqlite(path: string, options: { synchronous?: SqliteSynchronous } = {}): SqliteConnection {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  // The configured value always comes in (default `full`); test fixtures that give none skip the disk waits.
  if (options.synchronous === 'full' && path !== ':memory:') walSyncs.set(db, new WalSync(`${db.name}-wal`));
  return db;
}

/**
 * Runs a write transaction whose commit is acknowledged to someone (a run end, a cancel, a delivery's
 * outcome or redelivery), and on a `full` connection resolves only once the WAL holding it is on disk:
 * the commit, and every commit before it in the log, then survives power loss, not only a crash. It is
 * what `PRAGMA synchronous = FULL` gives in WAL mode, but SQLite's own fsync would block the event loop
 * for each commit (about 5.6 ms on the development disk), so the commit is made at NORMAL and the WAL
 * is synced off the event loop, once for all the commits waiting (`WalSync`). Checkpoint writes, claims
 * and lease renewals are not waited for: a power cut among those costs a run its retry from the last
 * durable point. `commit` opens and closes its own transaction (inside an outer one, the outer decides).
 */
export async function commitDurably<T>(db: SqliteConnection, commit: () => T): Promise<T> {
  const result = commit();
  if (!db.inTransaction) await walSyncs.get(db)?.sync();
  return result;
}

/**
 * Resolves once every commit already made on the file is on disk (`full`; at once on `normal`): for commits made
 * with a plain transaction whose acknowledgement comes later, so the wait can be shared with other commits.
 */
export async function untilDurable(db: SqliteConnection): Promise<void> {
  await walSyncs.get(db)?.sync();
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
