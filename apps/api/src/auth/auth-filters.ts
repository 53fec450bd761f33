import { isPlainObject } from '../common/json';

/** What an auth handler may return to narrow a resource to the caller's: conditions on its metadata. */
export type AuthFilterCondition = string | number | boolean | { $eq?: unknown; $contains?: unknown };
export type AuthFilters = Record<string, AuthFilterCondition>;

function isOperator(condition: AuthFilterCondition): condition is { $eq?: unknown; $contains?: unknown } {
  return typeof condition === 'object' && condition !== null;
}

/**
 * Whether a resource's metadata passes the filters: a plain value or `$eq` means equal, `$contains` means the
 * metadata holds a list with that item (or with every item of a list), like PostgreSQL's top-level containment.
 */
export function matchesFilters(metadata: Record<string, unknown> | null | undefined, filters: AuthFilters | null | undefined): boolean {
  if (!filters) return true;
  return Object.entries(filters).every(([key, condition]) => {
    const actual = metadata?.[key];
    if (!isOperator(condition)) return actual === condition;
    if ('$eq' in condition && condition.$eq !== undefined) return actual === condition.$eq;
    if ('$contains' in condition && condition.$contains !== undefined) {
      if (!Array.isArray(actual)) return false;
      const wanted = Array.isArray(condition.$contains) ? condition.$contains : [condition.$contains];
      return wanted.every((item) => actual.includes(item));
    }
    return true;
  });
}

/**
 * The filters as a metadata containment document (`metadata @> doc` on PostgreSQL, `jsonContains` on SQLite), so
 * the repositories narrow searches themselves and pages and totals stay right.
 */
export function filtersAsContainment(filters: AuthFilters): Record<string, unknown> {
  const document: Record<string, unknown> = {};
  for (const [key, condition] of Object.entries(filters)) {
    if (!isOperator(condition)) document[key] = condition;
    else if (condition.$eq !== undefined) document[key] = condition.$eq;
    else if (condition.$contains !== undefined) document[key] = Array.isArray(condition.$contains) ? condition.$contains : [condition.$contains];
  }
  return document;
}

const IMPOSSIBLE = Symbol('impossible');

function mergeValues(left: unknown, right: unknown): unknown {
  if (JSON.stringify(left) === JSON.stringify(right)) return left;
  if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  if (isPlainObject(left) && isPlainObject(right)) {
    const merged: Record<string, unknown> = { ...left };
    for (const [key, value] of Object.entries(right)) {
      const next = key in merged ? mergeValues(merged[key], value) : value;
      if (next === IMPOSSIBLE) return IMPOSSIBLE;
      merged[key] = next;
    }
    return merged;
  }
  return IMPOSSIBLE;
}

/**
 * The caller's own metadata filter and the auth filters as one containment document; null when no metadata can
 * satisfy both (say `owner: "bob"` asked by alice), so the search is answered empty without a query.
 */
export function narrowMetadata(requested: Record<string, unknown> | undefined, filters: AuthFilters | null): Record<string, unknown> | undefined | null {
  if (!filters || Object.keys(filters).length === 0) return requested;
  const merged = mergeValues(requested ?? {}, filtersAsContainment(filters));
  return merged === IMPOSSIBLE ? null : (merged as Record<string, unknown>);
}
