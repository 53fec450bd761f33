/** A LangChain `Serializable` (a message, most often): `toJSON` and `toDict` read `this[key]` for each constructor key. */
export interface SerializableLike {
  lc_serializable: boolean;
  lc_kwargs: Record<string, unknown>;
  toJSON(): unknown;
}

export function isSerializable(value: unknown): value is SerializableLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<SerializableLike>;
  return candidate.lc_serializable === true && typeof candidate.toJSON === 'function' && typeof candidate.lc_kwargs === 'object';
}

/** The field values a serialization of `item` is made from; a reassigned field means a new serialization. */
export function fieldsOf(item: SerializableLike): unknown[] {
  const record = item as unknown as Record<string, unknown>;
  return Object.keys(item.lc_kwargs).map((key) => (key in item ? record[key] : item.lc_kwargs[key]));
}

/** Compares without allocating: this runs for every message of a thread at every step. */
export function fieldsUnchanged(item: SerializableLike, fields: unknown[]): boolean {
  const record = item as unknown as Record<string, unknown>;
  let index = 0;
  for (const key in item.lc_kwargs) {
    if (index >= fields.length) return false;
    const current = key in item ? record[key] : item.lc_kwargs[key];
    if (current !== fields[index]) return false;
    index += 1;
  }
  return index === fields.length;
}
