import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { type StoreSettings, storeSettingsOf } from '../config/store-config';
import { textsAtPath } from './index-text';
import { loadEmbedder, type StoreEmbedder } from './store-embedder';
import { matchesNamespace, parseStoreFilter } from './store-filter';
import type { PutItemCommand, StoreItemRecord, StoreVector } from './store-record';
import { StoreRepository } from './store.repository';

export interface StorePut {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  /** false: not embedded; a list: these JSON paths; null/absent: the configured `store.index.fields`. */
  index?: false | string[] | null;
  /** Minutes; null: never expires; absent: `store.ttl.default_ttl`. */
  ttl?: number | null;
}

export interface StoreSearch {
  filter?: Record<string, unknown> | null;
  limit?: number;
  offset?: number;
  query?: string | null;
  refreshTtl?: boolean | null;
}

export interface StoreNamespaceQuery {
  prefix?: string[] | null;
  suffix?: string[] | null;
  maxDepth?: number | null;
  limit?: number;
  offset?: number;
}

/** The Store's rules, shared by `/store` and by graphs (through RunhookStore): TTL, embedding, namespace listing. */
@Injectable()
export class StoreService implements OnModuleInit {
  private readonly logger = new Logger(StoreService.name);
  readonly settings: StoreSettings;
  private embedder: StoreEmbedder | null = null;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly repository: StoreRepository,
    private readonly clock: Clock,
  ) {
    this.settings = storeSettingsOf(config.langgraph);
  }

  async onModuleInit(): Promise<void> {
    const index = this.settings.index;
    if (!index) return;
    this.embedder = await loadEmbedder(index);
    const engine = await this.repository.prepareVectors();
    this.logger.log(`semantic search on (${index.dims} dims, fields ${index.fields.join(', ')}; ${engine})`);
  }

  /** Several puts with one embedding call, as a graph's batch sends them. */
  async putMany(puts: StorePut[]): Promise<void> {
    const now = this.clock.isoNow();
    const texts = puts.map((put) => this.textsOf(put));
    const all = texts.flat();
    const embeddings = this.embedder && all.length > 0 ? await this.embedder.embedDocuments(all.map((text) => text.text)) : [];
    let next = 0;
    for (const [position, put] of puts.entries()) {
      const own = texts[position] ?? [];
      const vectors: StoreVector[] | null = this.embedder && put.index !== false
        ? own.map((text) => ({ field: text.field, embedding: embeddings[next++] as number[] }))
        : null;
      const command: PutItemCommand = {
        namespace: put.namespace,
        key: put.key,
        value: put.value,
        now,
        ttlMinutes: put.ttl === undefined ? this.settings.ttl.defaultTtlMinutes : put.ttl,
        vectors,
      };
      await this.repository.put(command);
    }
  }

  put(put: StorePut): Promise<void> {
    return this.putMany([put]);
  }

  delete(namespace: string[], key: string): Promise<void> {
    return this.repository.delete(namespace, key);
  }

  get(namespace: string[], key: string, refreshTtl?: boolean | null): Promise<StoreItemRecord | null> {
    return this.repository.get(namespace, key, this.clock.now(), refreshTtl ?? this.settings.ttl.refreshOnRead);
  }

  /** Newest first; with a `query` and an index, best match first with a `score`. Throws StoreFilterError. */
  async search(namespacePrefix: string[], options: StoreSearch = {}): Promise<StoreItemRecord[]> {
    const conditions = parseStoreFilter(options.filter);
    const queryVector = options.query && this.embedder ? await this.embedder.embedQuery(options.query) : null;
    return this.repository.search({
      namespacePrefix,
      conditions,
      limit: options.limit ?? 10,
      offset: options.offset ?? 0,
      queryVector,
      nowMs: this.clock.now(),
      refreshTtl: options.refreshTtl ?? this.settings.ttl.refreshOnRead,
    });
  }

  async listNamespaces(query: StoreNamespaceQuery = {}): Promise<string[][]> {
    const prefix = query.prefix ?? [];
    const suffix = query.suffix ?? [];
    // The database narrows by the labels before the first wildcard; wildcards and suffixes are matched here.
    const wildcard = prefix.indexOf('*');
    const literal = wildcard === -1 ? prefix : prefix.slice(0, wildcard);
    const seen = new Set<string>();
    const namespaces: string[][] = [];
    for (const namespace of await this.repository.listNamespaces(literal, this.clock.now())) {
      if (!matchesNamespace(namespace, prefix, 'prefix') || !matchesNamespace(namespace, suffix, 'suffix')) continue;
      const shown = query.maxDepth ? namespace.slice(0, query.maxDepth) : namespace;
      const id = JSON.stringify(shown);
      if (seen.has(id)) continue;
      seen.add(id);
      namespaces.push(shown);
    }
    const offset = query.offset ?? 0;
    return namespaces.slice(offset, offset + (query.limit ?? 100));
  }

  /** Deletes expired items (they are already invisible to reads). */
  sweep(): Promise<number> {
    return this.repository.sweep(this.clock.now());
  }

  private textsOf(put: StorePut): { field: string; text: string }[] {
    if (!this.settings.index || put.index === false) return [];
    const fields = put.index ?? this.settings.index.fields;
    return fields.flatMap((field) =>
      textsAtPath(put.value, field).map((text, position) => ({ field: `${field}#${position}`, text })),
    );
  }
}
