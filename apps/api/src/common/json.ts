export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object literal's kind (`{}` or `Object.create(null)`), not an array or a class instance such as a message. */
export function hasPlainPrototype(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** JSON containment as PostgreSQL's `@>` defines it: every key of `filter` matches `value`, recursively. */
export function jsonContains(value: unknown, filter: unknown): boolean {
  if (isPlainObject(filter)) {
    if (!isPlainObject(value)) return false;
    return Object.entries(filter).every(([key, expected]) => jsonContains(value[key], expected));
  }
  if (Array.isArray(filter)) {
    if (!Array.isArray(value)) return false;
    return filter.every((expected) => value.some((item) => jsonContains(item, expected)));
  }
  return value === filter;
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) return fallback;
  return JSON.parse(text) as T;
}

/** Keeps only the requested top-level fields, as the `select` option of search endpoints does. */
export function selectFields<T extends object>(row: T, select: string[] | undefined): Partial<T> {
  if (!select || select.length === 0) return row;
  const picked: Partial<T> = {};
  for (const key of select) {
    if (key in row) (picked as JsonObject)[key] = (row as JsonObject)[key];
  }
  return picked;
}

export function parseBooleanFlag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return false;
  return ['1', 'true', 'yes'].includes(value.toLowerCase());
}
