import { Inject, Injectable } from '@nestjs/common';
import { load as loadSqliteVec } from 'sqlite-vec';
import { prepared } from '../persistence/prepared';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import {
  namespaceOf,
  namespaceText,
  prefixRange,
  type PutItemCommand,
  type SearchItemsQuery,
  type StoreCondition,
  type StoreItemRecord,
  type VectorEngine,
} from './store-record';
import { StoreRepository } from './store.repository';

interface ItemRow {
  prefix: string;
  key: string;
  value: string;
  created_at: string;
  updated_at: string;
  score?: number;
}

const LIVE = '(i.expires_at IS NULL OR i.expires_at > @now)';
const RANGE_OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const vecLoaded = new WeakSet<SqliteConnection>();

function toRecord(row: ItemRow): StoreItemRecord {
  const record: StoreItemRecord = {
    namespace: namespaceOf(row.prefix),
    key: row.key,
    value: JSON.parse(row.value) as Record<string, unknown>,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
  if (row.score !== undefined) record.score = row.score;
  return record;
}

/** float32 little-endian, the layout sqlite-vec reads. */
function vectorBlob(vector: number[]): Buffer {
  return Buffer.from(new Float32Array(vector).buffer);
}

/** The SQL of one filter condition on `i.value`, its parameters named after its position. */
function conditionSql(condition: StoreCondition, index: number, params: Record<string, unknown>): string {
  const path = `p${index}`;
  const value = `v${index}`;
  params[path] = `$.${JSON.stringify(condition.field)}`;
  if (condition.op === 'eq' || condition.op === 'ne') {
    params[value] = JSON.stringify(condition.value);
    // `->` and json() both render canonical JSON text, so equal values compare equal whatever their type.
    return condition.op === 'eq' ? `(i.value -> @${path}) = json(@${value})` : `(i.value -> @${path}) IS NOT json(@${value})`;
  }
  params[value] = condition.value;
  const types = typeof condition.value === 'number' ? `('integer', 'real')` : `('text')`;
  return `(json_type(i.value, @${path}) IN ${types} AND json_extract(i.value, @${path}) ${RANGE_OPS[condition.op]} @${value})`;
}

function whereSql(prefix: string[], conditions: StoreCondition[], params: Record<string, unknown>): string {
  const clauses = [LIVE];
  const range = prefixRange(prefix);
  if (range) {
    Object.assign(params, range);
    // One index range, then the labels check: an OR of two ranges would make SQLite merge two index scans.
    clauses.push('(i.prefix >= @exact AND i.prefix < @below AND (i.prefix = @exact OR i.prefix > @above))');
  }
  conditions.forEach((condition, index) => clauses.push(conditionSql(condition, index, params)));
  return `WHERE ${clauses.join(' AND ')}`;
}

@Injectable()
export class SqliteStoreRepository extends StoreRepository {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {
    super();
  }

  async prepareVectors(): Promise<VectorEngine> {
    if (!vecLoaded.has(this.db)) {
      loadSqliteVec(this.db);
      vecLoaded.add(this.db);
    }
    return 'sqlite-vec';
  }

  async put(command: PutItemCommand): Promise<void> {
    const prefix = namespaceText(command.namespace);
    const nowMs = Date.parse(command.now);
    const write = this.db.transaction(() => {
      prepared(
        this.db,
        `INSERT INTO store_items (prefix, key, value, created_at, updated_at, ttl_minutes, expires_at)
         VALUES (@prefix, @key, @value, @now, @now, @ttl, @expires)
         ON CONFLICT (prefix, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
           ttl_minutes = excluded.ttl_minutes, expires_at = excluded.expires_at`,
      ).run({
        prefix,
        key: command.key,
        value: JSON.stringify(command.value),
        now: command.now,
        ttl: command.ttlMinutes,
        expires: command.ttlMinutes === null ? null : nowMs + command.ttlMinutes * 60_000,
      });
      prepared(this.db, 'DELETE FROM store_vectors WHERE prefix = ? AND key = ?').run(prefix, command.key);
      const insert = prepared(this.db, 'INSERT INTO store_vectors (prefix, key, field, embedding) VALUES (?, ?, ?, ?)');
      for (const vector of command.vectors ?? []) insert.run(prefix, command.key, vector.field, vectorBlob(vector.embedding));
    });
    write.immediate();
  }

  async delete(namespace: string[], key: string): Promise<void> {
    prepared(this.db, 'DELETE FROM store_items WHERE prefix = ? AND key = ?').run(namespaceText(namespace), key);
  }

  async get(namespace: string[], key: string, nowMs: number, refreshTtl: boolean): Promise<StoreItemRecord | null> {
    const params = { prefix: namespaceText(namespace), key, now: nowMs };
    if (refreshTtl) this.refresh([params]);
    const row = prepared(
      this.db,
      `SELECT i.prefix, i.key, i.value, i.created_at, i.updated_at FROM store_items i WHERE i.prefix = @prefix AND i.key = @key AND ${LIVE}`,
    ).get(params) as ItemRow | undefined;
    return row ? toRecord(row) : null;
  }

  async search(query: SearchItemsQuery): Promise<StoreItemRecord[]> {
    const params: Record<string, unknown> = { now: query.nowMs, limit: query.limit, offset: query.offset };
    const where = whereSql(query.namespacePrefix, query.conditions, params);
    let rows: ItemRow[];
    if (query.queryVector) {
      params['query'] = vectorBlob(query.queryVector);
      // An item scores as its best-matching embedded text.
      rows = prepared(
        this.db,
        `SELECT i.prefix, i.key, i.value, i.created_at, i.updated_at, MAX(1 - vec_distance_cosine(v.embedding, @query)) AS score
         FROM store_items i JOIN store_vectors v ON v.prefix = i.prefix AND v.key = i.key ${where}
         GROUP BY i.prefix, i.key ORDER BY score DESC, i.prefix, i.key LIMIT @limit OFFSET @offset`,
      ).all(params) as ItemRow[];
    } else {
      rows = prepared(
        this.db,
        `SELECT i.prefix, i.key, i.value, i.created_at, i.updated_at FROM store_items i ${where}
         ORDER BY i.updated_at DESC, i.prefix, i.key LIMIT @limit OFFSET @offset`,
      ).all(params) as ItemRow[];
    }
    if (query.refreshTtl && rows.length > 0) this.refresh(rows.map((row) => ({ prefix: row.prefix, key: row.key, now: query.nowMs })));
    return rows.map(toRecord);
  }

  async listNamespaces(prefix: string[], nowMs: number): Promise<string[][]> {
    const params: Record<string, unknown> = { now: nowMs };
    const rows = prepared(this.db, `SELECT DISTINCT i.prefix FROM store_items i ${whereSql(prefix, [], params)} ORDER BY i.prefix`).all(params) as {
      prefix: string;
    }[];
    return rows.map((row) => namespaceOf(row.prefix));
  }

  async sweep(nowMs: number): Promise<number> {
    return prepared(this.db, 'DELETE FROM store_items WHERE expires_at IS NOT NULL AND expires_at <= ?').run(nowMs).changes;
  }

  /** Restarts the expiry of live items that have a ttl. */
  private refresh(items: { prefix: string; key: string; now: number }[]): void {
    const statement = prepared(
      this.db,
      `UPDATE store_items SET expires_at = @now + ttl_minutes * 60000
       WHERE prefix = @prefix AND key = @key AND ttl_minutes IS NOT NULL AND expires_at > @now`,
    );
    this.db.transaction(() => items.forEach((item) => statement.run(item)))();
  }
}
