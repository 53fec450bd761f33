import { Inject, Injectable } from '@nestjs/common';
import type { Assistant, AssistantVersion } from '@runhook/contracts';
import { jsonParam, PG_POOL, type PgPool, type PgQueryable, toIso, withTransaction } from '../persistence/postgres/pg-pool';
import { countRows, type PgPage, searchPage } from '../persistence/postgres/pg-search';
import { AssistantFilter, AssistantPage, AssistantPatch, AssistantsRepository } from './assistants.repository';

interface AssistantRow {
  assistant_id: string;
  graph_id: string;
  config: Assistant['config'];
  context: Assistant['context'];
  metadata: Record<string, unknown>;
  version: number;
  name: string;
  description: string | null;
  created_at: Date;
  updated_at?: Date;
}

const SORTABLE = new Set(['assistant_id', 'graph_id', 'name', 'created_at', 'updated_at']);

function toAssistant(row: AssistantRow): Assistant {
  return {
    assistant_id: row.assistant_id,
    graph_id: row.graph_id,
    config: row.config ?? {},
    context: row.context ?? null,
    metadata: row.metadata ?? {},
    version: row.version,
    name: row.name,
    description: row.description,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at ?? row.created_at),
  };
}

function toVersion(row: AssistantRow): AssistantVersion {
  const { updated_at: _updated, ...version } = toAssistant(row);
  return version;
}

/** Builds a WHERE clause with numbered parameters; metadata containment uses jsonb `@>`. */
function whereClause(filter: AssistantFilter): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.graph_id) {
    params.push(filter.graph_id);
    clauses.push(`graph_id = $${params.length}`);
  }
  if (filter.name) {
    params.push(`%${filter.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    clauses.push(`LOWER(name) LIKE $${params.length}`);
  }
  if (filter.metadata && Object.keys(filter.metadata).length > 0) {
    params.push(JSON.stringify(filter.metadata));
    clauses.push(`metadata @> $${params.length}::jsonb`);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

@Injectable()
export class PostgresAssistantsRepository extends AssistantsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: PgPool) {
    super();
  }

  async insert(assistant: Assistant): Promise<Assistant | null> {
    return withTransaction(this.pool, async (client) => {
      const result = await client.query(
        `INSERT INTO assistants (assistant_id, graph_id, config, context, metadata, version, name, description, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (assistant_id) DO NOTHING`,
        [
          assistant.assistant_id,
          assistant.graph_id,
          jsonParam(assistant.config ?? {}),
          jsonParam(assistant.context),
          jsonParam(assistant.metadata ?? {}),
          assistant.version,
          assistant.name,
          assistant.description,
          assistant.created_at,
          assistant.updated_at,
        ],
      );
      if (result.rowCount === 0) return null;
      await this.insertVersion(client, assistant);
      return assistant;
    });
  }

  async get(assistantId: string): Promise<Assistant | null> {
    const { rows } = await this.pool.query<AssistantRow>('SELECT * FROM assistants WHERE assistant_id = $1', [assistantId]);
    return rows[0] ? toAssistant(rows[0]) : null;
  }

  async update(assistantId: string, patch: AssistantPatch, now: string): Promise<Assistant | null> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<AssistantRow>('SELECT * FROM assistants WHERE assistant_id = $1 FOR UPDATE', [assistantId]);
      if (!rows[0]) return null;
      const current = toAssistant(rows[0]);
      const max = await client.query<{ v: number }>('SELECT MAX(version) AS v FROM assistant_versions WHERE assistant_id = $1', [assistantId]);
      const next: Assistant = {
        ...current,
        graph_id: patch.graph_id ?? current.graph_id,
        config: patch.config ?? current.config,
        context: patch.context !== undefined ? patch.context : current.context,
        metadata: { ...current.metadata, ...(patch.metadata ?? {}) },
        name: patch.name ?? current.name,
        description: patch.description !== undefined ? patch.description : current.description,
        version: (max.rows[0]?.v ?? 0) + 1,
        created_at: now,
        updated_at: now,
      };
      await this.insertVersion(client, next);
      const updated = { ...next, created_at: current.created_at };
      await this.writeCurrent(client, updated);
      return updated;
    });
  }

  async delete(assistantId: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM assistants WHERE assistant_id = $1', [assistantId]);
    return (result.rowCount ?? 0) > 0;
  }

  async search(filter: AssistantFilter, page: PgPage): Promise<AssistantPage> {
    const sortBy = SORTABLE.has(page.sortBy) ? page.sortBy : 'created_at';
    const { rows, total } = await searchPage<AssistantRow>(this.pool, 'assistants', 'assistant_id', whereClause(filter), { ...page, sortBy });
    return { items: rows.map(toAssistant), total };
  }

  async count(filter: AssistantFilter): Promise<number> {
    return countRows(this.pool, 'assistants', whereClause(filter));
  }

  async listVersions(
    assistantId: string,
    filter: { metadata?: Record<string, unknown>; limit: number; offset: number },
  ): Promise<AssistantVersion[]> {
    const params: unknown[] = [assistantId, filter.limit, filter.offset];
    let containment = '';
    if (filter.metadata && Object.keys(filter.metadata).length > 0) {
      params.push(JSON.stringify(filter.metadata));
      containment = 'AND metadata @> $4::jsonb';
    }
    const { rows } = await this.pool.query<AssistantRow>(
      `SELECT * FROM assistant_versions WHERE assistant_id = $1 ${containment} ORDER BY version DESC LIMIT $2 OFFSET $3`,
      params,
    );
    return rows.map(toVersion);
  }

  async setLatest(assistantId: string, version: number, now: string): Promise<Assistant | null> {
    return withTransaction(this.pool, async (client) => {
      const current = await client.query<{ created_at: Date }>('SELECT created_at FROM assistants WHERE assistant_id = $1 FOR UPDATE', [
        assistantId,
      ]);
      const chosen = await client.query<AssistantRow>('SELECT * FROM assistant_versions WHERE assistant_id = $1 AND version = $2', [
        assistantId,
        version,
      ]);
      if (!current.rows[0] || !chosen.rows[0]) return null;
      const assistant = { ...toAssistant(chosen.rows[0]), created_at: toIso(current.rows[0].created_at), updated_at: now };
      await this.writeCurrent(client, assistant);
      return assistant;
    });
  }

  private async insertVersion(client: PgQueryable, assistant: Assistant): Promise<void> {
    await client.query(
      `INSERT INTO assistant_versions (assistant_id, version, graph_id, config, context, metadata, name, description, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        assistant.assistant_id,
        assistant.version,
        assistant.graph_id,
        jsonParam(assistant.config ?? {}),
        jsonParam(assistant.context),
        jsonParam(assistant.metadata ?? {}),
        assistant.name,
        assistant.description,
        assistant.created_at,
      ],
    );
  }

  private async writeCurrent(client: PgQueryable, assistant: Assistant): Promise<void> {
    await client.query(
      `UPDATE assistants SET graph_id = $1, config = $2, context = $3, metadata = $4, version = $5, name = $6, description = $7, updated_at = $8
       WHERE assistant_id = $9`,
      [
        assistant.graph_id,
        jsonParam(assistant.config ?? {}),
        jsonParam(assistant.context),
        jsonParam(assistant.metadata ?? {}),
        assistant.version,
        assistant.name,
        assistant.description,
        assistant.updated_at,
        assistant.assistant_id,
      ],
    );
  }
}
