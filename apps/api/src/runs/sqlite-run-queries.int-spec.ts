import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../persistence/sqlite-database';
import type { SqliteConnection } from '../persistence/sqlite.tokens';
import { ACTIVE_ON_THREAD_SQL, CLAIM_CANDIDATES_SQL } from './sqlite-runs.repository';

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
});
