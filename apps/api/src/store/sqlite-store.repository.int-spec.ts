import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../persistence/sqlite-database';
import { SqliteStoreRepository } from './sqlite-store.repository';
import { describeStoreRepository } from './store.repository.behaviour';

describeStoreRepository('SQLite (a real file, sqlite-vec)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runhook-store-'));
  const db = openSqlite(join(dir, 'runhook.sqlite'));
  const store = new SqliteStoreRepository(db);
  await store.prepareVectors();
  return {
    store,
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
