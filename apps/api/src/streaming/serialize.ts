interface DictConvertible {
  toDict: () => { type: string; data: Record<string, unknown> };
}

function isDictConvertible(value: unknown): value is DictConvertible {
  return typeof value === 'object' && value !== null && typeof (value as DictConvertible).toDict === 'function';
}

/**
 * JSON as LangGraph clients expect it: LangChain messages become plain `{type, content, ...}` dicts
 * instead of their `lc` constructor envelopes.
 */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, converted: unknown) {
    const raw = this[key];
    if (isDictConvertible(raw)) {
      const { type, data } = raw.toDict();
      return { ...data, type };
    }
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
