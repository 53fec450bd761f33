import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type TargetMetadatas = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;

const installed = new WeakSet<MetadataStorage>();

/**
 * Memoizes class-validator's metadata lookup for a class, which it recomputes on every `validate()`: the lookup
 * walks every decorated class registered in the process to find the target's ancestors
 * (typestack/class-validator#2686), and Runhook registers every DTO of `libs/contracts`. The answer for a class
 * changes only when a decorator registers more metadata, which empties the cache, so validation gives the same
 * errors as without it. The cached arrays are frozen: class-validator only reads them, and a writer would throw
 * instead of corrupting later validations.
 */
export function installValidationMetadataCache(storage: MetadataStorage = getMetadataStorage()): void {
  if (installed.has(storage)) return;
  installed.add(storage);
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  let byTarget = new WeakMap<object, Map<string, TargetMetadatas>>();
  let groupedOf = new WeakMap<TargetMetadatas, Grouped>();

  storage.addValidationMetadata = (metadata) => {
    byTarget = new WeakMap();
    groupedOf = new WeakMap();
    register(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (typeof target !== 'function') return lookUp(target, schema, always, strictGroups, groups);
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let cached = byTarget.get(target);
    if (!cached) byTarget.set(target, (cached = new Map()));
    let found = cached.get(key);
    if (!found) cached.set(key, (found = Object.freeze(lookUp(target, schema, always, strictGroups, groups)) as TargetMetadatas));
    return found;
  };
  storage.groupByPropertyName = (metadatas) => {
    // Only the memoized lookups' answers (frozen) are grouped once and kept; any other array is grouped afresh.
    if (!Object.isFrozen(metadatas)) return group(metadatas);
    let grouped = groupedOf.get(metadatas);
    if (!grouped) {
      grouped = group(metadatas);
      for (const list of Object.values(grouped)) Object.freeze(list);
      groupedOf.set(metadatas, Object.freeze(grouped));
    }
    return grouped;
  };
}
