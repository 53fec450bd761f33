import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../persistence/sqlite-database';
import { SqliteRunsRepository } from '../runs/sqlite-runs.repository';
import { SqliteThreadsRepository } from '../threads/sqlite-threads.repository';
import { describeCronsRepository } from './crons.repository.behaviour';
import { SqliteCronsRepository } from './sqlite-crons.repository';

describeCronsRepository('SQLite (a real file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runhook-crons-'));
  const db = openSqlite(join(dir, 'runhook.sqlite'));
  const runs = new SqliteRunsRepository(db);
  return {
    crons: new SqliteCronsRepository(db, runs),
    threads: new SqliteThreadsRepository(db),
    runs,
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
