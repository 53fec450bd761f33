import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { type AuthFilters, matchesFilters } from '../auth/auth-filters';
import { AuthService } from '../auth/auth.service';
import type { StoreItemRecord } from './store-record';
import { type StoreNamespaceQuery, type StorePut, type StoreSearch, StoreService } from './store.service';

/** Candidates fetched per page when filters narrow a search in code, and the most scanned before giving up. */
const SCAN_PAGE = 1000;
const SCAN_LIMIT = 10_000;

/** What a store filter is matched against, as the reference builds it: the value's fields, the namespace and key. */
function authView(namespace: string[], key?: string, value?: Record<string, unknown> | null): Record<string, unknown> {
  return { ...(value ?? {}), namespace, ...(key === undefined ? {} : { key }) };
}

function itemMatches(item: StoreItemRecord, filters: AuthFilters | null): boolean {
  return matchesFilters(authView(item.namespace, item.key, item.value), filters);
}

/**
 * `/store` as the caller may use it: each route asks the `store:<action>` handler, which may rewrite the namespace
 * and return filters on the item (`namespace`, `key` and the value's fields). Graphs reach StoreService directly,
 * unauthorized, as in the reference.
 */
@Injectable()
export class StoreAccess {
  constructor(
    private readonly auth: AuthService,
    private readonly store: StoreService,
  ) {}

  async put(put: StorePut): Promise<void> {
    const { value, filters } = await this.auth.authorize('store', 'put', { namespace: put.namespace, key: put.key, value: put.value });
    const existing = await this.store.get(value.namespace, value.key, false);
    if (existing && !itemMatches(existing, filters)) throw new NotFoundException({ detail: 'Item not found' });
    if (!matchesFilters(authView(value.namespace, value.key, value.value), filters)) throw new ForbiddenException({ detail: 'Not authorized' });
    await this.store.put({ ...put, namespace: value.namespace, key: value.key, value: value.value });
  }

  async get(namespace: string[], key: string, refreshTtl?: boolean | null): Promise<StoreItemRecord | null> {
    const { value, filters } = await this.auth.authorize('store', 'get', { namespace, key });
    const item = await this.store.get(value.namespace, value.key, refreshTtl);
    if (item && !itemMatches(item, filters)) throw new NotFoundException({ detail: 'Item not found' });
    return item;
  }

  async delete(namespace: string[], key: string): Promise<void> {
    const { value, filters } = await this.auth.authorize('store', 'delete', { namespace, key });
    const existing = await this.store.get(value.namespace, value.key, false);
    if (existing && !itemMatches(existing, filters)) throw new NotFoundException({ detail: 'Item not found' });
    if (!existing && !matchesFilters(authView(value.namespace, value.key), filters)) throw new ForbiddenException({ detail: 'Not authorized' });
    await this.store.delete(value.namespace, value.key);
  }

  async search(namespacePrefix: string[], options: StoreSearch): Promise<StoreItemRecord[]> {
    const { value, filters } = await this.auth.authorize('store', 'search', { namespace: namespacePrefix, filter: options.filter ?? null, limit: options.limit, offset: options.offset, query: options.query ?? null });
    const search = { ...options, filter: value.filter, query: value.query };
    if (!filters) return this.store.search(value.namespace, search);
    return this.scan((offset, limit) => this.store.search(value.namespace, { ...search, offset, limit }), (item) => itemMatches(item, filters), options.offset ?? 0, options.limit ?? 10);
  }

  async listNamespaces(query: StoreNamespaceQuery): Promise<string[][]> {
    const { value, filters } = await this.auth.authorize('store', 'list_namespaces', { namespace: query.prefix ?? null, suffix: query.suffix ?? null, max_depth: query.maxDepth ?? null, limit: query.limit, offset: query.offset });
    const listing = { ...query, prefix: value.namespace, suffix: value.suffix, maxDepth: value.max_depth };
    if (!filters) return this.store.listNamespaces(listing);
    return this.scan((offset, limit) => this.store.listNamespaces({ ...listing, offset, limit }), (namespace) => matchesFilters(authView(namespace), filters), query.offset ?? 0, query.limit ?? 100);
  }

  /** Pages through candidates until `offset + limit` pass the filters; a 400 past the scan limit, as the reference. */
  private async scan<T>(page: (offset: number, limit: number) => Promise<T[]>, allowed: (candidate: T) => boolean, offset: number, limit: number): Promise<T[]> {
    const kept: T[] = [];
    let scanned = 0;
    while (kept.length < offset + limit && scanned < SCAN_LIMIT) {
      const size = Math.min(SCAN_PAGE, SCAN_LIMIT - scanned);
      const candidates = await page(scanned, size);
      scanned += candidates.length;
      kept.push(...candidates.filter(allowed));
      if (candidates.length < size) return kept.slice(offset, offset + limit);
    }
    if (kept.length < offset + limit) throw new BadRequestException({ detail: 'Authenticated store query exceeded the maximum scan limit; narrow the namespace or filters.' });
    return kept.slice(offset, offset + limit);
  }
}
