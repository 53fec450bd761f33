import { Inject, Injectable } from '@nestjs/common';
import type { Assistant, AssistantVersion } from '@runhook/contracts';
import { jsonContains, parseJson } from '../common/json';
import { prepared } from '../persistence/prepared';
import { SQLITE, type SqliteConnection } from '../persistence/sqlite.tokens';
import { AssistantFilter, AssistantPage, AssistantPatch, AssistantsRepository } from './assistants.repository';

interface AssistantRow {
  assistant_id: string;
  graph_id: string;
  config: string;
  context: string | null;
  metadata: string;
  version: number;
  name: string;
  description: string | null;
  created_at: string;
  updated_at?: string;
}

const SORTABLE = new Set(['assistant_id', 'graph_id', 'name', 'created_at', 'updated_at']);

function toAssistant(row: AssistantRow): Assistant {
  return {
    assistant_id: row.assistant_id,
    graph_id: row.graph_id,
    config: parseJson(row.config, {}),
    context: parseJson(row.context, null),
    metadata: parseJson(row.metadata, {}),
    version: row.version,
    name: row.name,
    description: row.description,
    created_at: row.created_at,
    updated_at: row.updated_at ?? row.created_at,
  };
}

/** config, context and metadata as stored: JSON text, in the column order every statement here uses. */
function jsonColumns(assistant: Assistant): [string, string, string] {
  return [JSON.stringify(assistant.config), JSON.stringify(assistant.context), JSON.stringify(assistant.metadata)];
}

function toVersion(row: AssistantRow): AssistantVersion {
  const { updated_at: _updated, ...version } = toAssistant(row);
  return version;
}

@Injectable()
export class SqliteAssistantsRepository extends AssistantsRepository {
  constructor(@Inject(SQLITE) private readonly db: SqliteConnection) {
    super();
  }

  async insert(assistant: Assistant): Promise<Assistant | null> {
    const insert = this.db.transaction(() => {
      const result = prepared(
        this.db,
        `INSERT OR IGNORE INTO assistants (assistant_id, graph_id, config, context, metadata, version, name, description, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
          assistant.assistant_id,
          assistant.graph_id,
          ...jsonColumns(assistant),
          assistant.version,
          assistant.name,
          assistant.description,
          assistant.created_at,
          assistant.updated_at,
        );
      if (result.changes === 0) return false;
      this.insertVersion(assistant);
      return true;
    });
    return insert() ? assistant : null;
  }

  async get(assistantId: string): Promise<Assistant | null> {
    const row = prepared(this.db, 'SELECT * FROM assistants WHERE assistant_id = ?').get(assistantId) as AssistantRow | undefined;
    return row ? toAssistant(row) : null;
  }

  async update(assistantId: string, patch: AssistantPatch, now: string): Promise<Assistant | null> {
    const apply = this.db.transaction((): Assistant | null => {
      const row = prepared(this.db, 'SELECT * FROM assistants WHERE assistant_id = ?').get(assistantId) as AssistantRow | undefined;
      if (!row) return null;
      const current = toAssistant(row);
      const maxVersion = (
        prepared(this.db, 'SELECT MAX(version) AS v FROM assistant_versions WHERE assistant_id = ?').get(assistantId) as { v: number }
      ).v;
      const next: Assistant = {
        ...current,
        graph_id: patch.graph_id ?? current.graph_id,
        config: patch.config ?? current.config,
        context: patch.context !== undefined ? patch.context : current.context,
        metadata: { ...current.metadata, ...(patch.metadata ?? {}) },
        name: patch.name ?? current.name,
        description: patch.description !== undefined ? patch.description : current.description,
        version: maxVersion + 1,
        created_at: now,
        updated_at: now,
      };
      this.insertVersion(next);
      this.writeCurrent({ ...next, created_at: current.created_at });
      return { ...next, created_at: current.created_at };
    });
    return apply();
  }

  async delete(assistantId: string): Promise<boolean> {
    return prepared(this.db, 'DELETE FROM assistants WHERE assistant_id = ?').run(assistantId).changes > 0;
  }

  async search(
    filter: AssistantFilter,
    page: { limit: number; offset: number; sortBy: string; sortOrder: 'asc' | 'desc' },
  ): Promise<AssistantPage> {
    const matching = this.filtered(filter);
    const sortBy = SORTABLE.has(page.sortBy) ? (page.sortBy as keyof Assistant) : 'created_at';
    const direction = page.sortOrder === 'asc' ? 1 : -1;
    matching.sort((a, b) => {
      const left = String(a[sortBy]);
      const right = String(b[sortBy]);
      return left < right ? -direction : left > right ? direction : 0;
    });
    return { items: matching.slice(page.offset, page.offset + page.limit), total: matching.length };
  }

  async count(filter: AssistantFilter): Promise<number> {
    return this.filtered(filter).length;
  }

  async listVersions(
    assistantId: string,
    filter: { metadata?: Record<string, unknown>; limit: number; offset: number },
  ): Promise<AssistantVersion[]> {
    const rows = prepared(this.db, 'SELECT * FROM assistant_versions WHERE assistant_id = ? ORDER BY version DESC')
      .all(assistantId) as AssistantRow[];
    return rows
      .map(toVersion)
      .filter((version) => !filter.metadata || jsonContains(version.metadata, filter.metadata))
      .slice(filter.offset, filter.offset + filter.limit);
  }

  async setLatest(assistantId: string, version: number, now: string): Promise<Assistant | null> {
    const apply = this.db.transaction((): Assistant | null => {
      const current = prepared(this.db, 'SELECT created_at FROM assistants WHERE assistant_id = ?').get(assistantId) as
        | { created_at: string }
        | undefined;
      const row = prepared(this.db, 'SELECT * FROM assistant_versions WHERE assistant_id = ? AND version = ?')
        .get(assistantId, version) as AssistantRow | undefined;
      if (!current || !row) return null;
      const assistant = { ...toAssistant(row), created_at: current.created_at, updated_at: now };
      this.writeCurrent(assistant);
      return assistant;
    });
    return apply();
  }

  /** Metadata containment is checked in code: the table is small and SQLite has no `@>`. */
  private filtered(filter: AssistantFilter): Assistant[] {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.graph_id) {
      clauses.push('graph_id = ?');
      params.push(filter.graph_id);
    }
    if (filter.name) {
      clauses.push("LOWER(name) LIKE ? ESCAPE '\\'");
      params.push(`%${filter.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = prepared(this.db, `SELECT * FROM assistants ${where}`).all(...params) as AssistantRow[];
    return rows.map(toAssistant).filter((a) => !filter.metadata || jsonContains(a.metadata, filter.metadata));
  }

  private insertVersion(assistant: Assistant): void {
    prepared(
        this.db,
        `INSERT INTO assistant_versions (assistant_id, version, graph_id, config, context, metadata, name, description, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        assistant.assistant_id,
        assistant.version,
        assistant.graph_id,
        ...jsonColumns(assistant),
        assistant.name,
        assistant.description,
        assistant.created_at,
      );
  }

  private writeCurrent(assistant: Assistant): void {
    prepared(
        this.db,
        `UPDATE assistants SET graph_id = ?, config = ?, context = ?, metadata = ?, version = ?, name = ?, description = ?, updated_at = ?
         WHERE assistant_id = ?`,
      ).run(
        assistant.graph_id,
        ...jsonColumns(assistant),
        assistant.version,
        assistant.name,
        assistant.description,
        assistant.updated_at,
        assistant.assistant_id,
      );
  }
}
