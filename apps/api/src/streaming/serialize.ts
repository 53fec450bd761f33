import { hasPlainPrototype } from '../common/json';
import { fieldsOf, fieldsUnchanged, isSerializable } from '../common/serializable-fields';

interface DictConvertible {
  toDict: () => { type: string; data: Record<string, unknown> };
}

function isDictConvertible(value: unknown): value is DictConvertible {
  return typeof value === 'object' && value !== null && typeof (value as DictConvertible).toDict === 'function';
}

/**
 * Each message's wire dict, kept with the message while the fields it was made from are the same objects:
 * a run's end writes the thread's whole message list, and `toDict` was most of that cost on long threads.
 */
const wireDicts = new WeakMap<object, { dict: Record<string, unknown>; fields: unknown[] }>();

function wireDictOf(raw: DictConvertible): Record<string, unknown> {
  const serializable = isSerializable(raw) ? raw : null;
  const known = serializable ? wireDicts.get(raw) : undefined;
  if (serializable && known && fieldsUnchanged(serializable, known.fields)) return known.dict;
  const { type, data } = raw.toDict();
  const dict = { ...data, type };
  if (serializable) wireDicts.set(raw, { dict, fields: fieldsOf(serializable) });
  return dict;
}

/** Past this depth the walk stops, and JSON.stringify (and its replacer) sees the rest as it is, cycles included. */
const WALK_DEPTH = 64;

/**
 * The value with the messages in its arrays and plain objects replaced by their wire dicts, copying only the
 * containers on the way to one. JSON.stringify calls a message's own `toJSON` (LangChain's whole `lc` envelope,
 * on every message of a long thread) before a replacer sees it, so the replacer alone never saved that cost.
 */
function withWireDicts(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > WALK_DEPTH) return value;
  if (isDictConvertible(value)) return wireDictOf(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const converted = withWireDicts(item, depth + 1);
      if (converted !== item) (copy ??= value.slice())[index] = converted;
    }
    return copy ?? value;
  }
  if (!hasPlainPrototype(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const converted = withWireDicts(item, depth + 1);
    if (converted !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = converted;
  }
  return copy ?? value;
}

/**
 * JSON as LangGraph clients expect it: LangChain messages become plain `{type, content, ...}` dicts
 * instead of their `lc` constructor envelopes.
 */
export function toWireJson(value: unknown): string {
  // The replacer covers messages the walk does not reach (inside class instances, or deeper than it goes).
  return JSON.stringify(withWireDicts(value, 0), function replacer(this: Record<string, unknown>, key: string, converted: unknown) {
    const raw = this[key];
    if (isDictConvertible(raw)) return wireDictOf(raw);
    return converted;
  }) ?? 'null';
}

/** A plain-JSON copy, for values stored in the database or returned in a response body. */
export function toWireValue<T = unknown>(value: unknown): T {
  return JSON.parse(toWireJson(value)) as T;
}

export interface SerializedError {
  error: string;
  message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { error: error.name || 'Error', message: error.message };
  return { error: 'Error', message: typeof error === 'string' ? error : JSON.stringify(error) };
}
