import { hasPlainPrototype } from '../common/json';

/**
 * A copy of the value's arrays, plain objects, Sets and Maps around the same leaves: whoever gets the value
 * may push to its lists or set its keys (LangGraph does, on checkpoints it loaded) without changing ours.
 */
export function copyContainers<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => copyContainers(item)) as T;
  if (value instanceof Set) return new Set([...value].map((item: unknown) => copyContainers(item))) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]: [unknown, unknown]) => [k, copyContainers(v)])) as T;
  // Plain containers are copied; anything else (messages and other class instances) is shared.
  if (!hasPlainPrototype(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = copyContainers(item);
  return copy as T;
}

interface Entry {
  bytes: Uint8Array;
  /** Computed at the first recall: most written blobs (all but a thread's newest checkpoint) are never read. */
  decode: (() => Promise<unknown>) | null;
  value?: unknown;
}

/**
 * Decoded values of recently written or read blobs, found by their exact bytes (same length, then a byte
 * comparison): a hit is exactly what decoding those bytes gave or would give. Bounded by the blobs' total
 * size; the least recently used go first.
 */
export class DecodedBlobs {
  /** Insertion order is recency order: a hit is deleted and re-inserted. */
  private readonly entries = new Map<Entry, true>();
  private readonly byLength = new Map<number, Entry[]>();
  private totalBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** `decode` gives what decoding `bytes` gives; `owned`: the bytes are ours to keep (not a reused buffer). */
  remember(bytes: Uint8Array, decode: () => Promise<unknown>, owned = false): void {
    if (bytes.length > this.maxBytes / 4) return;
    if (this.find(bytes)) return;
    const entry: Entry = { bytes: owned ? bytes : Uint8Array.prototype.slice.call(bytes), decode };
    this.entries.set(entry, true);
    const sameLength = this.byLength.get(bytes.length);
    if (sameLength) sameLength.push(entry);
    else this.byLength.set(bytes.length, [entry]);
    this.totalBytes += bytes.length;
    while (this.totalBytes > this.maxBytes) this.evict(this.entries.keys().next().value as Entry);
  }

  async recall(bytes: Uint8Array): Promise<{ found: true; value: unknown } | { found: false }> {
    const entry = this.find(bytes);
    if (!entry) return { found: false };
    this.entries.delete(entry);
    this.entries.set(entry, true);
    if (entry.decode) {
      const decode = entry.decode;
      entry.decode = null;
      entry.value = copyContainers(await decode());
    }
    return { found: true, value: copyContainers(entry.value) };
  }

  get size(): number {
    return this.entries.size;
  }

  private find(bytes: Uint8Array): Entry | undefined {
    return this.byLength.get(bytes.length)?.find((entry) => Buffer.compare(entry.bytes, bytes) === 0);
  }

  private evict(entry: Entry): void {
    this.entries.delete(entry);
    const sameLength = this.byLength.get(entry.bytes.length) ?? [];
    const rest = sameLength.filter((other) => other !== entry);
    if (rest.length > 0) this.byLength.set(entry.bytes.length, rest);
    else this.byLength.delete(entry.bytes.length);
    this.totalBytes -= entry.bytes.length;
  }
}
