import { JsonPlusSerializer, type SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { randomBytes } from 'node:crypto';
import { fieldsOf, fieldsUnchanged, isSerializable, type SerializableLike } from '../common/serializable-fields';
import { DecodedBlobs, copyContainers } from './decoded-blobs';

/** Lists shorter than this are serialized and revived by the official code alone: there is little to save. */
const MIN_LIST_LENGTH = 8;
/** Blobs smaller than this are not kept decoded: reviving them is cheap. */
const MIN_KEPT_BYTES = 4096;

function isSerializableList(value: unknown): value is SerializableLike[] {
  return Array.isArray(value) && value.length >= MIN_LIST_LENGTH && value.every(isSerializable);
}

/** The JSON text of one serializable object, with the field values it was made from. */
interface Fragment {
  json: string;
  fields: unknown[];
  /** What reading `json` back gives, once asked for. */
  twin?: object;
}

/**
 * Runhook's checkpoint serializer: it writes the official `JsonPlusSerializer`'s format, byte for byte, and
 * reads with it, but does not redo work a long thread repeats on every step.
 *
 * - **Writing**: a thread's message list is re-serialized for every checkpoint although only its last
 *   messages are new. Each message's JSON text is kept (weakly, with the message) and reused while the
 *   fields `toJSON` reads are the same objects; the list is the join of those texts, spliced into the rest
 *   of the value that the official serializer writes. The bytes are those the official serializer gives.
 * - **Reading**: reviving a stored list builds every message again through `@langchain/core/load`. A blob
 *   this process has just written or read is kept decoded (bounded, least recently used first, keyed by its
 *   exact bytes); the same bytes read again give the same messages, in fresh arrays and plain objects.
 *   Messages are therefore shared between the runs of a thread in one process, as the steps of one run
 *   already share them: LangGraph state is updated by returning values, and a node that changed a message
 *   in place would see that change again (the official PostgreSQL saver does not store it either).
 */
export class CheckpointSerializer extends JsonPlusSerializer implements SerializerProtocol {
  private readonly fragments = new WeakMap<object, Fragment>();
  /** Objects that came out of reading stored bytes: what a read of their text gives is themselves. */
  private readonly revived = new WeakSet<object>();
  private readonly decoded: DecodedBlobs;
  /** Stands for a list inside the value the official serializer writes; unguessable, so no data contains it. */
  private readonly placeholder = `\u0000runhook-list-${randomBytes(12).toString('hex')}-`;

  constructor(options: { maxDecodedBytes?: number } = {}) {
    super();
    this.decoded = new DecodedBlobs(options.maxDecodedBytes ?? 64 * 1024 * 1024);
  }

  override async dumpsTyped(value: unknown): Promise<[string, Uint8Array]> {
    const written = this.serialize(value);
    if (written === null) return super.dumpsTyped(value);
    const bytes = new TextEncoder().encode(written.text);
    if (bytes.length >= MIN_KEPT_BYTES) this.decoded.remember(bytes, written.decoded, true);
    return ['json', bytes];
  }

  override async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    const keep = type === 'json' && typeof data !== 'string' && data.length >= MIN_KEPT_BYTES;
    if (keep) {
      const known = await this.decoded.recall(data);
      if (known.found) return known.value;
    }
    const value: unknown = await super.loadsTyped(type, data);
    if (keep) {
      markRevived(value, this.revived);
      // Copied now: the caller may change the containers of what it got before the next read.
      const kept = copyContainers(value);
      this.decoded.remember(data as Uint8Array, () => Promise.resolve(kept));
    }
    return value;
  }

  /**
   * The JSON text when the value holds a long list of serializable objects (null: the official path), and
   * how to get what reading that text back gives, without reviving the messages already known.
   */
  private serialize(value: unknown): { text: string; decoded: () => Promise<unknown> } | null {
    if (value instanceof Uint8Array) return null;
    if (isSerializableList(value)) {
      const items = value.slice();
      return { text: this.listJson(items), decoded: () => this.revivedList(items) };
    }
    // A checkpoint as the SQLite saver writes it: the lists are among its channel values.
    const channels = (value as { channel_values?: unknown } | null)?.channel_values;
    if (typeof channels !== 'object' || channels === null || Array.isArray(channels)) return null;
    const lists: SerializableLike[][] = [];
    const skeleton: Record<string, unknown> = {};
    for (const [channel, channelValue] of Object.entries(channels)) {
      if (isSerializableList(channelValue)) {
        skeleton[channel] = `${this.placeholder}${lists.length}`;
        lists.push(channelValue.slice());
      } else {
        skeleton[channel] = channelValue;
      }
    }
    if (lists.length === 0) return null;
    const rest = new TextDecoder().decode(this._dumps({ ...(value as object), channel_values: skeleton }));
    let text = rest;
    lists.forEach((list, index) => {
      const json = this.listJson(list);
      text = text.replace(JSON.stringify(`${this.placeholder}${index}`), () => json);
    });
    const decoded = async () => {
      const checkpoint = (await super.loadsTyped('json', rest)) as { channel_values: Record<string, unknown> };
      for (const [channel, channelValue] of Object.entries(checkpoint.channel_values)) {
        const index = typeof channelValue === 'string' && channelValue.startsWith(this.placeholder) ? Number(channelValue.slice(this.placeholder.length)) : -1;
        if (index >= 0) checkpoint.channel_values[channel] = await this.revivedList(lists[index]);
      }
      return checkpoint;
    };
    return { text, decoded };
  }

  private listJson(list: SerializableLike[]): string {
    const parts = new Array<string>(list.length);
    for (let i = 0; i < list.length; i += 1) parts[i] = this.fragmentOf(list[i]).json;
    return `[${parts.join(',')}]`;
  }

  private fragmentOf(item: SerializableLike): Fragment {
    const known = this.fragments.get(item);
    if (known && fieldsUnchanged(item, known.fields)) return known;
    const fragment: Fragment = { json: new TextDecoder().decode(this._dumps(item)), fields: fieldsOf(item) };
    this.fragments.set(item, fragment);
    return fragment;
  }

  /**
   * The list as reading its text back gives it: each item's revived twin. An item that was itself revived
   * is its own twin; one a node made is revived once from its text, so the next run sees what a restarted
   * server would read.
   */
  private async revivedList(list: SerializableLike[]): Promise<unknown[]> {
    const out = new Array<unknown>(list.length);
    for (let i = 0; i < list.length; i += 1) {
      const item = list[i];
      if (this.revived.has(item)) {
        out[i] = item;
        continue;
      }
      const fragment = this.fragmentOf(item);
      fragment.twin ??= (await super.loadsTyped('json', fragment.json)) as object;
      this.revived.add(fragment.twin);
      out[i] = fragment.twin;
    }
    return out;
  }
}

/** Marks the items of every long serializable list in a decoded value as revived (their own twins). */
function markRevived(value: unknown, revived: WeakSet<object>): void {
  const lists = isSerializableList(value) ? [value] : Object.values((value as { channel_values?: object } | null)?.channel_values ?? {});
  for (const list of lists) if (isSerializableList(list)) for (const item of list) revived.add(item);
}
