import { Inject, Injectable, Logger } from '@nestjs/common';
import { jsonParam, PG_POOL, type PgPool, toIso, withTransaction } from '../persistence/postgres/pg-pool';
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

interface PgItemRow {
  prefix: string;
  key: string;
  value: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  score?: number | null;
}

const RANGE_OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const COLUMNS = 'i.prefix, i.key, i.value, i.created_at, i.updated_at';

function toRecord(row: PgItemRow): StoreItemRecord {
  const record: StoreItemRecord = {
    namespace: namespaceOf(row.prefix),
    key: row.key,
    value: row.value,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
  if (row.score !== undefined && row.score !== null) record.score = Number(row.score);
  return record;
}

/** Collects positional parameters while a query is built. */
class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function conditionSql(condition: StoreCondition, params: Params): string {
  const field = params.add(condition.field);
  if (condition.op === 'eq' || condition.op === 'ne') {
    const value = params.add(jsonParam(condition.value) ?? 'null');
    return condition.op === 'eq' ? `i.value -> ${field} = ${value}::jsonb` : `i.value -> ${field} IS DISTINCT FROM ${value}::jsonb`;
  }
  const op = RANGE_OPS[condition.op];
  // The CASE keeps the cast away from values of another JSON type, so a mixed field never fails the query.
  if (typeof condition.value === 'number') {
    return `(CASE WHEN jsonb_typeof(i.value -> ${field}) = 'number' THEN (i.value ->> ${field})::float8 END) ${op} ${params.add(condition.value)}::float8`;
  }
  return `(CASE WHEN jsonb_typeof(i.value -> ${field}) = 'string' THEN i.value ->> ${field} END) COLLATE "C" ${op} ${params.add(condition.value)}::text`;
}

function whereSql(prefix: string[], conditions: StoreCondition[], nowMs: number, params: Params): string {
  const clauses = [`(i.expires_at IS NULL OR i.expires_at > ${params.add(nowMs)}::bigint)`];
  const range = prefixRange(prefix);
  if (range) {
    const exact = params.add(range.exact);
    clauses.push(`(i.prefix >= ${exact} AND i.prefix < ${params.add(range.below)} AND (i.prefix = ${exact} OR i.prefix > ${params.add(range.above)}))`);
  }
  for (const condition of conditions) clauses.push(conditionSql(condition, params));
  return `WHERE ${clauses.join(' AND ')}`;
}

@Injectable()
export class PostgresStoreRepository extends StoreRepository {
  private readonly logger = new Logger(PostgresStoreRepository.name);
  private engine: VectorEngine = 'sql-cosine';

  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {
    super();
  }

  async prepareVectors(): Promise<VectorEngine> {
    try {
      await this.pool.query('CREATE EXTENSION IF NOT EXISTS vector');
      // The extension may live in a schema outside search_path: only use it when its type resolves here.
      await this.pool.query(`SELECT '[1,2]'::vector <=> '[2,1]'::vector`);
      this.engine = 'pgvector';
    } catch (error) {
      this.logger.log(`pgvector is not available (${(error as Error).message}); cosine similarity is computed in SQL`);
      this.engine = 'sql-cosine';
    }
    return this.engine;
  }

  async put(command: PutItemCommand): Promise<void> {
    const prefix = namespaceText(command.namespace);
    const nowMs = Date.parse(command.now);
    await withTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO store_items (prefix, key, value, created_at, updated_at, ttl_minutes, expires_at)
         VALUES ($1, $2, $3::jsonb, $4, $4, $5, $6)
         ON CONFLICT (prefix, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
           ttl_minutes = excluded.ttl_minutes, expires_at = excluded.expires_at`,
        [prefix, command.key, JSON.stringify(command.value), command.now, command.ttlMinutes,
          command.ttlMinutes === null ? null : Math.round(nowMs + command.ttlMinutes * 60_000)],
      );
      await client.query('DELETE FROM store_vectors WHERE prefix = $1 AND key = $2', [prefix, command.key]);
      const vectors = command.vectors ?? [];
      if (vectors.length > 0) {
        await client.query(
          `INSERT INTO store_vectors (prefix, key, field, embedding)
           SELECT $1, $2, field, ARRAY(SELECT jsonb_array_elements_text(embedding)::real)
           FROM jsonb_to_recordset($3::jsonb) AS t(field text, embedding jsonb)`,
          [prefix, command.key, JSON.stringify(vectors)],
        );
      }
    });
  }

  async delete(namespace: string[], key: string): Promise<void> {
    await this.pool.query('DELETE FROM store_items WHERE prefix = $1 AND key = $2', [namespaceText(namespace), key]);
  }

  async get(namespace: string[], key: string, nowMs: number, refreshTtl: boolean): Promise<StoreItemRecord | null> {
    const prefix = namespaceText(namespace);
    if (refreshTtl) await this.refresh([prefix], [key], nowMs);
    const { rows } = await this.pool.query<PgItemRow>(
      `SELECT ${COLUMNS} FROM store_items i WHERE i.prefix = $1 AND i.key = $2 AND (i.expires_at IS NULL OR i.expires_at > $3::bigint)`,
      [prefix, key, nowMs],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async search(query: SearchItemsQuery): Promise<StoreItemRecord[]> {
    const params = new Params();
    let sql: string;
    if (query.queryVector) {
      const vector = params.add(query.queryVector);
      const where = whereSql(query.namespacePrefix, query.conditions, query.nowMs, params);
      const similarity =
        this.engine === 'pgvector'
          ? `1 - (v.embedding::vector <=> ${vector}::real[]::vector)`
          : `(SELECT SUM(a * b) / NULLIF(SQRT(SUM(a * a)) * SQRT(SUM(b * b)), 0) FROM unnest(v.embedding, ${vector}::real[]) AS t(a, b))`;
      // An item scores as its best-matching embedded text.
      sql = `SELECT ${COLUMNS}, MAX(${similarity}) AS score
             FROM store_items i JOIN store_vectors v ON v.prefix = i.prefix AND v.key = i.key ${where}
             GROUP BY i.prefix, i.key ORDER BY score DESC NULLS LAST, i.prefix, i.key`;
    } else {
      sql = `SELECT ${COLUMNS} FROM store_items i ${whereSql(query.namespacePrefix, query.conditions, query.nowMs, params)}
             ORDER BY i.updated_at DESC, i.prefix, i.key`;
    }
    const { rows } = await this.pool.query<PgItemRow>(`${sql} LIMIT ${params.add(query.limit)} OFFSET ${params.add(query.offset)}`, params.values);
    if (query.refreshTtl && rows.length > 0) {
      await this.refresh(rows.map((row) => row.prefix), rows.map((row) => row.key), query.nowMs);
    }
    return rows.map(toRecord);
  }

  async listNamespaces(prefix: string[], nowMs: number): Promise<string[][]> {
    const params = new Params();
    const { rows } = await this.pool.query<{ prefix: string }>(
      `SELECT DISTINCT i.prefix FROM store_items i ${whereSql(prefix, [], nowMs, params)} ORDER BY i.prefix`,
      params.values,
    );
    return rows.map((row) => namespaceOf(row.prefix));
  }

  async sweep(nowMs: number): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM store_items WHERE expires_at IS NOT NULL AND expires_at <= $1', [nowMs]);
    return rowCount ?? 0;
  }

  private async refresh(prefixes: string[], keys: string[], nowMs: number): Promise<void> {
    await this.pool.query(
      `UPDATE store_items s SET expires_at = ($3::bigint + s.ttl_minutes * 60000)::bigint
       FROM unnest($1::text[], $2::text[]) AS t(prefix, key)
       WHERE s.prefix = t.prefix COLLATE "C" AND s.key = t.key COLLATE "C" AND s.ttl_minutes IS NOT NULL AND s.expires_at > $3::bigint`,
      [prefixes, keys, nowMs],
    );
  }
}
