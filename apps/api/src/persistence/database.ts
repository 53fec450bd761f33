import { type FactoryProvider, Logger, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { retryWhileDatabaseDown, START_RETRY_BUDGET_MS } from '../common/database-errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config-error';
import { openPostgres, type PostgresStore } from './postgres/postgres-store';
import { openSqlite, type SqliteConnection } from './sqlite-database';

/** The opened store: one of the two adapters' connections. */
export type Database = { kind: 'sqlite'; db: SqliteConnection } | { kind: 'postgres'; store: PostgresStore };

/** DI token for the opened Database (internal to PersistenceModule). */
export const DATABASE = Symbol('DATABASE');

export async function openDatabase(config: AppConfig): Promise<Database> {
  if (config.database.kind === 'sqlite') {
    return { kind: 'sqlite', db: openSqlite(config.database.location, { synchronous: config.database.sqliteSynchronous }) };
  }
  try {
    // Each concurrent run holds a connection only for its short transactions; leave room for HTTP and the scheduler.
    const pool = { max: Math.max(10, config.worker.concurrency + 5) };
    // A replica that starts while its database restarts (or is not up yet) waits for it instead of exiting: a
    // restarted worker must not die of the same outage that a running one rides out.
    const store = await retryWhileDatabaseDown(() => openPostgres(config.database.location, pool), {
      budgetMs: START_RETRY_BUDGET_MS,
      onRetry: (error, delayMs) => new Logger('Database').warn(`PostgreSQL unavailable at start (${error.message}); trying again in ${delayMs} ms`),
    });
    return { kind: 'postgres', store };
  } catch (error) {
    throw new ConfigError(`DATABASE_URL: cannot open the PostgreSQL database: ${(error as Error).message}`);
  }
}

export async function closeDatabase(database: Database): Promise<void> {
  if (database.kind === 'sqlite') {
    if (database.db.open) database.db.close();
  } else {
    await database.store.pool.end();
  }
}

const SQLITE_METHODS = new Set(['prepare', 'exec', 'transaction', 'pragma', 'function', 'aggregate', 'table', 'backup', 'serialize']);

/**
 * The SQLite connection when the store is SQLite. On PostgreSQL a feature still wired to a SQLite
 * adapter gets an object that fails on first use with a message naming the problem.
 */
export function sqliteOf(database: Database): SqliteConnection {
  if (database.kind === 'sqlite') return database.db;
  return new Proxy({} as SqliteConnection, {
    get(_target, property) {
      // Only the connection's own methods fail: Nest probes providers for `then` and lifecycle hooks.
      if (typeof property === 'string' && SQLITE_METHODS.has(property)) {
        throw new Error(`a SQLite-only adapter called ${property}() while DATABASE_URL points at PostgreSQL`);
      }
      return undefined;
    },
  });
}

/** Provides `port` with the adapter class matching the configured database. */
export function adapterFor<T>(port: abstract new (...args: never[]) => T, sqlite: Type<T>, postgres: Type<T>): FactoryProvider<T> {
  return {
    provide: port,
    inject: [APP_CONFIG, ModuleRef],
    useFactory: (config: AppConfig, moduleRef: ModuleRef) => moduleRef.create(config.database.kind === 'postgres' ? postgres : sqlite),
  };
}
