import type { StoreComparison, StoreCondition } from './store-record';

const OPERATORS: Record<string, StoreComparison> = { $eq: 'eq', $ne: 'ne', $gt: 'gt', $gte: 'gte', $lt: 'lt', $lte: 'lte' };
const MAX_CONDITIONS = 64;

/** A search filter the store cannot run; the API answers 422 with this message. */
export class StoreFilterError extends Error {}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    Object.keys(value).length > 0 && Object.keys(value).every((key) => key.startsWith('$'));
}

/**
 * Turns `{field: value}` (equality) and `{field: {$op: value}}` into conditions on top-level fields of the value.
 * Range operators compare numbers with numbers and strings with strings (byte order).
 */
export function parseStoreFilter(filter: Record<string, unknown> | undefined | null): StoreCondition[] {
  const conditions: StoreCondition[] = [];
  for (const [field, spec] of Object.entries(filter ?? {})) {
    if (!isOperatorObject(spec)) {
      conditions.push({ field, op: 'eq', value: spec ?? null });
      continue;
    }
    for (const [operator, value] of Object.entries(spec)) {
      const op = OPERATORS[operator];
      if (!op) throw new StoreFilterError(`filter.${field}: unknown operator ${operator} (use ${Object.keys(OPERATORS).join(', ')})`);
      const isRange = op !== 'eq' && op !== 'ne';
      if (isRange && !(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
        throw new StoreFilterError(`filter.${field}.${operator} must be a number or a string`);
      }
      conditions.push({ field, op, value: value ?? null });
    }
  }
  if (conditions.length > MAX_CONDITIONS) throw new StoreFilterError(`filter has more than ${MAX_CONDITIONS} conditions`);
  return conditions;
}

/** Whether `namespace` starts (or, for a suffix, ends) with `pattern`, `*` matching any one label. */
export function matchesNamespace(namespace: string[], pattern: string[], at: 'prefix' | 'suffix'): boolean {
  if (pattern.length > namespace.length) return false;
  const start = at === 'prefix' ? 0 : namespace.length - pattern.length;
  return pattern.every((label, index) => label === '*' || label === namespace[start + index]);
}
