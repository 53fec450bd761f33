import type { PutItemCommand, SearchItemsQuery, StoreItemRecord, VectorEngine } from './store-record';

/**
 * Storage port of the Store (BaseStore items). Times are passed in, never read: expired items (expires_at at or
 * before `nowMs`) are invisible to every read, whether or not the sweeper has deleted them yet.
 */
export abstract class StoreRepository {
  /** Readies vector search (loads sqlite-vec, detects pgvector) and says which maths it uses. */
  abstract prepareVectors(): Promise<VectorEngine>;
  /** Inserts or replaces the item (keeping created_at) and its vectors, in one transaction. */
  abstract put(command: PutItemCommand): Promise<void>;
  abstract delete(namespace: string[], key: string): Promise<void>;
  /** The live item; with `refreshTtl` its expiry restarts from `nowMs`. */
  abstract get(namespace: string[], key: string, nowMs: number, refreshTtl: boolean): Promise<StoreItemRecord | null>;
  abstract search(query: SearchItemsQuery): Promise<StoreItemRecord[]>;
  /** Distinct live namespaces under `prefix` (all when empty), sorted. */
  abstract listNamespaces(prefix: string[], nowMs: number): Promise<string[][]>;
  /** Deletes items expired at `nowMs`; returns how many. */
  abstract sweep(nowMs: number): Promise<number>;
}
