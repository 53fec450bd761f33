import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inCi } from '@runhook/testing';
import { Pool } from 'pg';
import type { AssistantsRepository } from '../../assistants/assistants.repository';
import { PostgresAssistantsRepository } from '../../assistants/postgres-assistants.repository';
import { SqliteAssistantsRepository } from '../../assistants/sqlite-assistants.repository';
import type { CheckpointMaintenance } from '../../graphs/checkpoint-maintenance';
import { PostgresCheckpointMaintenance } from '../../graphs/postgres-checkpoint-maintenance';
import { SqliteCheckpointMaintenance } from '../../graphs/sqlite-checkpoint-maintenance';
import { PostgresRunsRepository } from '../../runs/postgres-runs.repository';
import type { RunsRepository } from '../../runs/runs.repository';
import { SqliteRunsRepository } from '../../runs/sqlite-runs.repository';
import { PostgresThreadsRepository } from '../../threads/postgres-threads.repository';
import { SqliteThreadsRepository } from '../../threads/sqlite-threads.repository';
import type { ThreadsRepository } from '../../threads/threads.repository';
import type { DeliveriesRepository } from '../../webhooks/deliveries.repository';
import { PostgresDeliveriesRepository } from '../../webhooks/postgres-deliveries.repository';
import { SqliteDeliveriesRepository } from '../../webhooks/sqlite-deliveries.repository';
import { quoteIdent } from '../postgres/pg-pool';
import { openPostgres, type PostgresStore } from '../postgres/postgres-store';
import { RunhookSqliteSaver } from '../runhook-sqlite-saver';
import { openSqlite, type SqliteConnection } from '../sqlite-database';

/** Every port of the store on one fresh database, for the behaviour suites. */
export interface StoreFixture {
  kind: 'sqlite' | 'postgres';
  assistants: AssistantsRepository;
  threads: ThreadsRepository;
  runs: RunsRepository;
  checkpoints: CheckpointMaintenance;
  deliveries: DeliveriesRepository;
  saver: BaseCheckpointSaver;
  /** The raw connection, for suites of ports added later (SQLite connection or pg pool). */
  sqlite?: SqliteConnection;
  postgres?: PostgresStore;
  close(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreFixture>;

/** A fresh SQLite file in a temporary directory, removed on close. */
export const sqliteStore: StoreFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runhook-int-'));
  const db = openSqlite(join(dir, 'runhook.sqlite'));
  return {
    kind: 'sqlite',
    assistants: new SqliteAssistantsRepository(db),
    threads: new SqliteThreadsRepository(db),
    runs: new SqliteRunsRepository(db),
    checkpoints: new SqliteCheckpointMaintenance(db),
    deliveries: new SqliteDeliveriesRepository(db),
    saver: new RunhookSqliteSaver(db).ensureTables(),
    sqlite: db,
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** Creates a schema of its own in the test database; the returned function drops it. */
export async function createTestSchema(url: string): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: url, max: 1 });
  try {
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  } finally {
    await admin.end();
  }
  return {
    schema,
    drop: async () => {
      const pool = new Pool({ connectionString: url, max: 1 });
      try {
        await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}

/** A fresh schema in TEST_DATABASE_URL, migrated like a server start; dropped on close. */
export function postgresStore(url: string): StoreFactory {
  return async () => {
    const { schema, drop } = await createTestSchema(url);
    const store = await openPostgres(url, { schema, max: 5 });
    return {
      kind: 'postgres',
      assistants: new PostgresAssistantsRepository(store.pool),
      threads: new PostgresThreadsRepository(store.pool),
      runs: new PostgresRunsRepository(store.pool),
      checkpoints: new PostgresCheckpointMaintenance(store.pool),
      deliveries: new PostgresDeliveriesRepository(store.pool),
      saver: store.saver,
      postgres: store,
      close: async () => {
        await store.pool.end();
        await drop();
      },
    };
  };
}

/**
 * Runs `suite` against PostgreSQL when TEST_DATABASE_URL is set. In CI a missing TEST_DATABASE_URL
 * fails the run: the PostgreSQL adapters must never go untested unnoticed. Locally it is skipped, saying so.
 */
export function describePostgresStore(suite: (factory: StoreFactory) => void): void {
  const url = process.env['TEST_DATABASE_URL'];
  if (url) suite(postgresStore(url));
  else describeMissingPostgres();
}

/** What stands for the PostgreSQL half of a suite without TEST_DATABASE_URL: a failure in CI, a named skip elsewhere. */
export function describeMissingPostgres(): void {
  if (inCi()) {
    describe('PostgreSQL', () => {
      it('has a database to test against', () => {
        throw new Error('TEST_DATABASE_URL is not set in CI: start PostgreSQL with tools/scripts/ci-postgres.sh and export its URL');
      });
    });
  } else {
    describe('PostgreSQL (skipped: set TEST_DATABASE_URL, e.g. from tools/scripts/ci-postgres.sh)', () => {
      it.skip('runs the same behaviour suite against PostgreSQL', () => undefined);
    });
  }
}

/** Runs `suite` against a SQLite file and against PostgreSQL (see describePostgresStore). */
export function describeEachStore(suite: (name: string, factory: StoreFactory) => void): void {
  suite('SQLite', sqliteStore);
  describePostgresStore((factory) => suite('PostgreSQL', factory));
}
