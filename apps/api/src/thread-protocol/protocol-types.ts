/**
 * The wire shapes of the thread protocol (`@langchain/protocol`, which the SDK's `client.threads.stream` speaks):
 * commands in, command responses and events out. Only what Runhook produces or reads is typed here.
 */

export type Namespace = string[];

/** Channels a client may ask for; `custom:<name>` narrows `custom` to one name. */
export const PROTOCOL_CHANNELS = ['values', 'updates', 'messages', 'tools', 'lifecycle', 'input', 'checkpoints', 'tasks', 'custom'] as const;
export type ProtocolChannel = (typeof PROTOCOL_CHANNELS)[number] | `custom:${string}`;

export function isProtocolChannel(value: unknown): value is ProtocolChannel {
  if (typeof value !== 'string') return false;
  return (PROTOCOL_CHANNELS as readonly string[]).includes(value) || (value.startsWith('custom:') && value.length > 'custom:'.length);
}

/** Event methods; each maps to one channel (`input.*` to `input`). */
export type ProtocolMethod = 'values' | 'updates' | 'messages' | 'tools' | 'lifecycle' | 'input.requested' | 'checkpoints' | 'tasks' | 'custom';

export interface ProtocolEvent {
  type: 'event';
  /** Unique within the thread; the SSE `id:` line. */
  event_id: string;
  /** Monotonic within the thread, across its runs. */
  seq: number;
  method: ProtocolMethod;
  params: { namespace: Namespace; timestamp: number; node?: string; data: unknown };
}

/** An event before the thread numbers it. */
export type ProtocolEventBody = Pick<ProtocolEvent, 'method'> & { namespace: Namespace; node?: string; data: unknown };

export type ProtocolErrorCode =
  | 'invalid_argument'
  | 'unknown_command'
  | 'unknown_error'
  | 'no_such_run'
  | 'no_such_subscription'
  | 'no_such_interrupt'
  | 'permission_denied'
  | 'not_supported';

export interface ProtocolCommand {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

export interface ProtocolSuccess {
  type: 'success';
  id: number;
  result: Record<string, unknown>;
  meta: { thread_id: string; applied_through_seq: number };
}

/** A failed command, as the WebSocket transport answers it (over HTTP a failure is a 4xx with `{detail}`). */
export interface ProtocolErrorResponse {
  type: 'error';
  /** The command's id; null when the message was not a command at all. */
  id: number | null;
  error: ProtocolErrorCode;
  message: string;
}

/** What `lifecycle` events say of a namespace. */
export type AgentStatus = 'started' | 'running' | 'completed' | 'failed' | 'interrupted';

/** Which events one SSE connection (or one subscription) receives. */
export interface EventFilter {
  channels: Set<string>;
  /** Prefixes of the namespaces wanted; none means every namespace. */
  namespaces?: Namespace[];
  /** How far below a prefix events are wanted; none means any depth. */
  depth?: number;
  /** Only events after this sequence number. */
  since?: number;
}

export function channelOf(event: Pick<ProtocolEvent, 'method' | 'params'>): string {
  if (event.method === 'input.requested') return 'input';
  if (event.method === 'custom') {
    const name = (event.params.data as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? `custom:${name}` : 'custom';
  }
  return event.method;
}

/** Subgraph namespace segments carry a task id (`child:<uuid>`); a filter may name the node alone. */
function segmentMatches(candidate: string, wanted: string): boolean {
  if (candidate === wanted) return true;
  if (wanted.includes(':')) return false;
  const colon = candidate.indexOf(':');
  return colon !== -1 && candidate.slice(0, colon) === wanted;
}

export function isNamespacePrefix(namespace: Namespace, prefix: Namespace): boolean {
  if (prefix.length > namespace.length) return false;
  return prefix.every((segment, index) => segmentMatches(namespace[index], segment));
}

/** The matching rules the SDK applies on its side too, so both ends agree on what a filter selects. */
export function matchesFilter(filter: EventFilter, event: ProtocolEvent): boolean {
  if (filter.since !== undefined && event.seq <= filter.since) return false;
  const channel = channelOf(event);
  if (!filter.channels.has(channel) && !(channel.startsWith('custom:') && filter.channels.has('custom'))) return false;
  if (!filter.namespaces || filter.namespaces.length === 0) return true;
  const namespace = event.params.namespace;
  return filter.namespaces.some(
    (prefix) => isNamespacePrefix(namespace, prefix) && (filter.depth === undefined || namespace.length - prefix.length <= filter.depth),
  );
}
