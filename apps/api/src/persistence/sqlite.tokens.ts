export type { SqliteConnection } from './sqlite-database';

/** DI token for the shared better-sqlite3 connection. */
export const SQLITE = Symbol('SQLITE');
