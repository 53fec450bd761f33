import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqlite } from '../persistence/sqlite-database';
import { SQLITE_MIGRATIONS } from '../persistence/sqlite-migrations';
import type { SqliteConnection } from '../persistence/sqlite.tokens';
import { createCommand, makeRun, makeThread } from '../persistence/testing/builders';
import { SqliteThreadsRepository } from '../threads/sqlite-threads.repository';
import { ACTIVE_ON_THREAD_SQL, CLAIM_CANDIDATES_SQL, SqliteRunsRepository } from './sqlite-runs.repository';

/**
 * The queries every run makes about its thread's other runs must not read the thread's history: on a long chat thread
 * that is hundreds of ended runs, read again for every new run and every claim. SQLite's plan, on the migrated schema,
 * shows which index answers them.
 */
describe('SQLite run queries on a long thread', () => {
  let dir: string;
  let db: SqliteConnection;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'runhook-run-queries-'));
    db = openSqlite(join(dir, 'runhook.sqlite'));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = (sql: string, ...params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join('\n');

  it("claims by looking up each candidate's thread among the active runs only", () => {
    const detail = plan(CLAIM_CANDIDATES_SQL, new Date().toISOString(), 10);
    expect(detail).toMatch(/SEARCH x USING INDEX runs_active_by_thread \(thread_id=\?\)/);
    expect(detail).not.toMatch(/SEARCH x USING INDEX runs_thread/);
  });

  it("finds a thread's pending and running runs without reading its ended ones", () => {
    expect(plan(ACTIVE_ON_THREAD_SQL, 'thread-1')).toMatch(/^SEARCH runs USING INDEX runs_active_by_thread \(thread_id=\?\)$/);
  });

  it('answers a claim pass that finds nothing due without waiting for another process that holds the write lock', async () => {
    const path = join(dir, 'claim-while-locked.sqlite');
    const ours = openSqlite(path);
    ours.pragma('busy_timeout = 100');
    const repository = new SqliteRunsRepository(ours);
    const thread = makeThread();
    await new SqliteThreadsRepository(ours).insert(thread);
    const running = makeRun(thread.thread_id);
    await repository.createRun(createCommand(running));
    expect((await repository.claim('w1', 4, Date.now(), Date.now() + 60_000)).map((run) => run.run_id)).toEqual([running.run_id]);
    // Queued behind the running one on the same thread: pending, but not claimable.
    await repository.createRun(createCommand(makeRun(thread.thread_id), { strategy: 'enqueue' }));
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(repository.claim('w2', 4, Date.now(), Date.now() + 60_000)).resolves.toEqual([]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      ours.close();
    }
  });

  it('upgrades a database made before the index: its pending run is still found, now through the index', async () => {
    const path = join(dir, 'before-migration-10.sqlite');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version < 10)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, new Date().toISOString());
    }
    const thread = makeThread();
    await new SqliteThreadsRepository(old).insert(thread);
    const run = makeRun(thread.thread_id);
    await new SqliteRunsRepository(old).createRun(createCommand(run));
    old.close();

    const upgraded = openSqlite(path);
    try {
      expect(upgraded.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'runs_active_by_thread'").get()).toBeDefined();
      expect(upgraded.prepare(ACTIVE_ON_THREAD_SQL).all(thread.thread_id)).toEqual([{ run_id: run.run_id, status: 'pending' }]);
    } finally {
      upgraded.close();
    }
  });
});
