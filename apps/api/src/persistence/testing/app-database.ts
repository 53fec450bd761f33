import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, describeMissingPostgres } from './store-fixture';

/** A `DATABASE_URL` of its own for an app a test starts, and how to remove that database afterwards. */
export interface AppDatabase {
  url: string;
  drop: () => Promise<void>;
}

export type AppDatabaseFactory = () => Promise<AppDatabase>;

/** A fresh SQLite file in a temporary directory. */
export const sqliteAppDatabase: AppDatabaseFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runhook-app-'));
  return { url: join(dir, 'runhook.sqlite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
};

/** A fresh schema in the test database; the URL sets `search_path` to it, so every connection the app opens uses it. */
export function postgresAppDatabase(testDatabaseUrl: string): AppDatabaseFactory {
  return async () => {
    const { schema, drop } = await createTestSchema(testDatabaseUrl);
    const separator = testDatabaseUrl.includes('?') ? '&' : '?';
    return { url: `${testDatabaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`, drop };
  };
}

/** Runs `suite` with a SQLite file and with a PostgreSQL schema (without TEST_DATABASE_URL: see describeMissingPostgres). */
export function describeEachAppDatabase(suite: (name: string, database: AppDatabaseFactory) => void): void {
  suite('SQLite', sqliteAppDatabase);
  const url = process.env['TEST_DATABASE_URL'];
  if (url) suite('PostgreSQL', postgresAppDatabase(url));
  else describeMissingPostgres();
}
