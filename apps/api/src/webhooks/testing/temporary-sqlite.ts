import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, type SqliteConnection } from '../../persistence/sqlite-database';

/** A fresh SQLite file (all migrations applied) in a temporary folder, removed on close. */
export function openTemporarySqlite(): { db: SqliteConnection; close(): Promise<void> } {
  const folder = mkdtempSync(join(tmpdir(), 'runhook-webhooks-'));
  const db = openSqlite(join(folder, 'store.sqlite'));
  return {
    db,
    close: async () => {
      db.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
