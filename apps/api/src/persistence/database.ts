import type { FactoryProvider, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
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
    const store = await openPostgres(config.database.location, { max: Math.max(10, config.worker.concurrency + 5) });
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
