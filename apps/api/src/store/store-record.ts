/** An item as the repositories hold it; `namespace` is the list of labels. */
export interface StoreItemRecord {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  /** Cosine similarity to the search query, when the search had one. */
  score?: number;
}

export type StoreComparison = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

/** One condition of a search filter on a top-level field of the value; range operators take numbers or strings. */
export interface StoreCondition {
  field: string;
  op: StoreComparison;
  value: unknown;
}

/** One embedded text of an item: `field` is the JSON path and the text's position (`$.title#0`). */
export interface StoreVector {
  field: string;
  embedding: number[];
}

export interface PutItemCommand {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  now: string;
  /** Minutes the item lives after a write (and after each refreshing read); null: forever. */
  ttlMinutes: number | null;
  /** Replaces the item's vectors; null leaves it without any. */
  vectors: StoreVector[] | null;
}

export interface SearchItemsQuery {
  namespacePrefix: string[];
  conditions: StoreCondition[];
  limit: number;
  offset: number;
  /** Ranks by cosine similarity to this vector, best first (only items with vectors). */
  queryVector: number[] | null;
  /** Epoch ms: items expired at this moment are invisible. */
  nowMs: number;
  refreshTtl: boolean;
}

/** Which vector maths the database uses, for the start log. */
export type VectorEngine = 'sqlite-vec' | 'pgvector' | 'sql-cosine';

/** Separator of the stored namespace text; labels may not contain it. */
export const NAMESPACE_SEPARATOR = '.';

export function namespaceText(namespace: string[]): string {
  return namespace.join(NAMESPACE_SEPARATOR);
}

export function namespaceOf(text: string): string[] {
  return text.split(NAMESPACE_SEPARATOR);
}

/**
 * The stored namespace texts under `prefix` are `prefix` itself and those between `prefix.` and `prefix/`
 * (`/` is the character after `.`): all inside the one index range [`prefix`, `prefix/`) in byte order.
 */
export function prefixRange(prefix: string[]): { exact: string; above: string; below: string } | null {
  if (prefix.length === 0) return null;
  const exact = namespaceText(prefix);
  return { exact, above: `${exact}${NAMESPACE_SEPARATOR}`, below: `${exact}/` };
}
