import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

export interface TestSchema {
  /** The database URL with `search_path` set to the schema, for every connection a server opens. */
  url: string;
  name: string;
  /** A one-connection pool to read the schema's tables from the test. */
  admin: Pool;
  drop(): Promise<void>;
}

/** A fresh schema of its own for one e2e file on a shared PostgreSQL, dropped at the end. */
export async function createTestSchema(databaseUrl: string, prefix: string): Promise<TestSchema> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: databaseUrl, max: 1 });
  await admin.query(`CREATE SCHEMA "${name}"`);
  const separator = databaseUrl.includes('?') ? '&' : '?';
  return {
    url: `${databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${name}`)}`,
    name,
    admin,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await admin.end();
    },
  };
}
