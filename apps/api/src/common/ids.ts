import { createHash, randomFillSync } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The namespace LangGraph servers use to derive a graph's default assistant id. */
export const ASSISTANT_NAMESPACE = '6ba7b821-9dad-11d1-80b4-00c04fd430c8';

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

function format(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// Random bytes for ids are drawn from a pool refilled 256 ids at a time: one call into OpenSSL per 256 ids instead
// of one per id (randomBytes(16) costs about 6 us, a slice of the pool under 1 us).
const ID_BYTES = 16;
const pool = Buffer.allocUnsafe(ID_BYTES * 256);
let poolOffset = pool.length;

function randomIdBytes(): Buffer {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // A copy: the caller writes the version bits into it.
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + ID_BYTES));
  poolOffset += ID_BYTES;
  return bytes;
}

/** RFC 9562 version 7: time-ordered, so ids sort in creation order like the reference server's. */
export function uuid7(now = Date.now()): string {
  const bytes = randomIdBytes();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return format(bytes);
}

export function uuid4(): string {
  const bytes = randomIdBytes();
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return format(bytes);
}

/** RFC 4122 version 5 (SHA-1 of namespace + name). */
export function uuid5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return format(bytes);
}

// Graph ids come from langgraph.json (and the few created at run time), so the map stays small; a SHA-1 per
// run (as every run naming its graph needs this id) cost some 30 µs on a server's cold caches.
const defaultAssistantIds = new Map<string, string>();
const MAX_REMEMBERED_GRAPH_IDS = 1_000;

export function defaultAssistantId(graphId: string): string {
  let id = defaultAssistantIds.get(graphId);
  if (id === undefined) {
    id = uuid5(graphId, ASSISTANT_NAMESPACE);
    if (defaultAssistantIds.size < MAX_REMEMBERED_GRAPH_IDS) defaultAssistantIds.set(graphId, id);
  }
  return id;
}

/** Milliseconds since 1582-10-15 (the uuid epoch) at the Unix epoch. */
const UUID_EPOCH_OFFSET_MS = 12_219_292_800_000n;

/**
 * The creation time of a version 6 uuid (LangGraph's checkpoint ids), in Unix milliseconds; null for
 * other versions. Its 60-bit timestamp counts 100 ns intervals since 1582.
 */
export function uuid6Time(id: string): number | null {
  const hex = id.replace(/-/g, '');
  if (hex.length !== 32 || hex[12] !== '6') return null;
  const ticks = BigInt(`0x${hex.slice(0, 12)}${hex.slice(13, 16)}`);
  return Number(ticks / 10_000n - UUID_EPOCH_OFFSET_MS);
}
