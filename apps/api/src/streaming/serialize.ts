import { hasPlainPrototype } from '../common/json';
import { fieldsOf, fieldsUnchanged, isSerializable } from '../common/serializable-fields';

interface DictConvertible {
  toDict: () => { type: string; data: Record<string, unknown> };
}

function isDictConvertible(value: unknown): value is DictConvertible {
  return typeof value === 'object' && value !== null && typeof (value as DictConvertible).toDict === 'function';
}

/**
 * Each message's wire dict and, once asked for, its JSON text, kept with the message while the fields they were made
 * from are the same objects: a run's end writes the thread's whole message list, and `toDict` then `JSON.stringify`
 * of every message was most of that cost on long threads.
 */
interface WireForm {
  dict: Record<string, unknown>;
  json: string | null;
  /** Whether the dict is plain JSON data (what parsing its text gives back), once asked. */
  plain: boolean | null;
}

const wireForms = new WeakMap<object, WireForm & { fields: unknown[] }>();

function wireFormOf(raw: DictConvertible): WireForm {
  const serializable = isSerializable(raw) ? raw : null;
  const known = serializable ? wireForms.get(raw) : undefined;
  if (serializable && known && fieldsUnchanged(serializable, known.fields)) return known;
  const { type, data } = raw.toDict();
  const form = { dict: { ...data, type }, json: null, plain: null, fields: serializable ? fieldsOf(serializable) : [] };
  if (serializable) wireForms.set(raw, form);
  return form;
}

function wireDictOf(raw: DictConvertible): Record<string, unknown> {
  return wireFormOf(raw).dict;
}

function wireJsonOfMessage(raw: DictConvertible): string {
  const form = wireFormOf(raw);
  form.json ??= JSON.stringify(form.dict, replacer);
  return form.json;
}

/** Past this depth the walk stops, and JSON.stringify (and its replacer) sees the rest as it is, cycles included. */
const WALK_DEPTH = 64;

/** Covers the messages the walk does not reach (inside class instances, or deeper than it goes). */
function replacer(this: Record<string, unknown>, key: string, converted: unknown): unknown {
  const raw = this[key];
  if (isDictConvertible(raw)) return wireDictOf(raw);
  return converted;
}

/**
 * The JSON text of a value, assembled from its plain containers, with each message's kept text spliced in: exactly
 * what `JSON.stringify` of the value with its messages as wire dicts writes (key order, omitted `undefined`s, `null`
 * for holes). JSON.stringify calls a message's own `toJSON` (LangChain's whole `lc` envelope) before a replacer sees
 * it, and writes every message of a long thread again at every step; here a known message costs a string copy.
 * Anything but a plain object or array (a Date, a class instance, an object with its own `toJSON`) is left to
 * JSON.stringify with the replacer. Answers undefined where JSON.stringify would (undefined, a function, a symbol).
 */
function wireJsonOf(value: unknown, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (isDictConvertible(value)) return wireJsonOfMessage(value);
  if (depth > WALK_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(value, replacer);
  if (Array.isArray(value)) {
    const items: string[] = new Array<string>(value.length);
    for (let index = 0; index < value.length; index++) items[index] = wireJsonOf(value[index], depth + 1) ?? 'null';
    return `[${items.join(',')}]`;
  }
  if (!hasPlainPrototype(value)) return JSON.stringify(value, replacer);
  const members: string[] = [];
  for (const key of Object.keys(value)) {
    const item = wireJsonOf((value as Record<string, unknown>)[key], depth + 1);
    if (item !== undefined) members.push(`${JSON.stringify(key)}:${item}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * JSON as LangGraph clients expect it: LangChain messages become plain `{type, content, ...}` dicts
 * instead of their `lc` constructor envelopes.
 */
export function toWireJson(value: unknown): string {
  return wireJsonOf(value, 0) ?? 'null';
}

/** What `plainWireData` answers for a value that is not plain JSON data. */
const NOT_PLAIN: unique symbol = Symbol('not plain wire data');

/**
 * The value with the messages in its plain containers replaced by their kept wire dicts, copying only those
 * containers, when that is plain JSON data (only plain objects and arrays without holes, strings, finite numbers,
 * booleans and null): then it is what parsing the value's wire JSON gives back. Anything else answers NOT_PLAIN.
 */
function plainWireData(value: unknown, depth: number, messagesAllowed: boolean): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return null;
  if (depth > WALK_DEPTH) return NOT_PLAIN;
  if (isDictConvertible(value)) {
    if (!messagesAllowed) return NOT_PLAIN;
    const form = wireFormOf(value);
    form.plain ??= plainWireData(form.dict, depth + 1, false) !== NOT_PLAIN;
    return form.plain ? form.dict : NOT_PLAIN;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let index = 0; index < value.length; index++) {
      if (!(index in value)) return NOT_PLAIN;
      const item: unknown = value[index];
      const data = plainWireData(item, depth + 1, messagesAllowed);
      if (data === NOT_PLAIN) return NOT_PLAIN;
      if (data !== item) (copy ??= value.slice())[index] = data;
    }
    return copy ?? value;
  }
  // Not a null prototype either: parsing gives Object.prototype.
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const data = plainWireData(item, depth + 1, messagesAllowed);
    if (data === NOT_PLAIN) return NOT_PLAIN;
    if (data !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = data;
  }
  return copy ?? value;
}

/**
 * The wire form of a value as JSON text and as plain data together, for a run's end, which stores the one and hands
 * the other on. Where the value is plain JSON data (the usual state), the data shares the messages' kept dicts rather
 * than parsing the text back (a thread's whole message list, at every run end): it is to be read, never changed.
 */
export function toWire(value: unknown): { json: string; value: unknown } {
  const json = toWireJson(value);
  const data = plainWireData(value, 0, true);
  return { json, value: data === NOT_PLAIN ? JSON.parse(json) : data };
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
