import type { RunEvent, RunOutcome } from '../streaming/run-event';
import type { AgentStatus, Namespace, ProtocolEventBody } from './protocol-types';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `values|child:<task>|...` names the mode and the subgraph the event came from. */
export function splitEventName(name: string): { mode: string; namespace: Namespace } {
  const [mode, ...namespace] = name.split('|');
  return { mode, namespace };
}

interface ToolCallChunk {
  id: string | null;
  name: string | null;
  args: string;
}

interface OpenMessage {
  id: string;
  node: string | undefined;
  textStarted: boolean;
  text: string;
  toolCalls: Map<number, ToolCallChunk>;
  usage: Json | undefined;
}

const ROLES: Record<string, 'ai' | 'human' | 'system'> = { ai: 'ai', AIMessageChunk: 'ai', human: 'human', system: 'system' };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part === 'string' ? part : isObject(part) && part['type'] === 'text' ? String(part['text'] ?? '') : '')).join('');
}

function parseArgs(args: string): unknown {
  try {
    return args ? JSON.parse(args) : {};
  } catch {
    return {};
  }
}

/** Interrupt entries of a `values` or `updates` chunk (`__interrupt__: [{id, value}]`). */
function interruptsOf(data: unknown): { interrupt_id: string; payload: unknown }[] {
  const entries = isObject(data) ? data['__interrupt__'] : undefined;
  if (!Array.isArray(entries)) return [];
  return entries.filter((entry): entry is Json => isObject(entry) && typeof entry['id'] === 'string').map((entry) => ({ interrupt_id: entry['id'] as string, payload: entry['value'] }));
}

/**
 * Turns one run's events (the SSE events Runhook's run streams carry) into thread-protocol events: state
 * snapshots lose their `__interrupt__` to `input.requested` events, `messages` tuples become the protocol's
 * message lifecycle (start, content blocks, finish), checkpoints become their light envelope. The root
 * namespace's lifecycle is the caller's: it knows when the run starts and how it ended.
 */
export class RunEventTranslator {
  /** Open messages by namespace: a namespace streams one message at a time. */
  private readonly open = new Map<string, OpenMessage>();
  private readonly interrupts = new Set<string>();

  /** Whether the run asked for input (an `interrupt()`), so its end reads as `interrupted`. */
  get interrupted(): boolean {
    return this.interrupts.size > 0;
  }

  translate(event: Pick<RunEvent, 'event' | 'data'>): ProtocolEventBody[] {
    const { mode, namespace } = splitEventName(event.event);
    if (mode === 'metadata' || mode === 'error') return [];
    const data: unknown = JSON.parse(event.data);
    switch (mode) {
      case 'messages':
        return this.message(namespace, data);
      case 'values':
        return [...this.closeMessage(namespace), ...this.inputRequests(namespace, data), ...this.values(namespace, data)];
      case 'updates':
        return [...this.closeMessage(namespace), ...this.inputRequests(namespace, data), ...this.updates(namespace, data)];
      case 'checkpoints':
        return [{ method: 'checkpoints', namespace, data: this.checkpoint(data) }];
      case 'tasks':
        return [{ method: 'tasks', namespace, data }];
      case 'custom':
        return [{ method: 'custom', namespace, data: { payload: data } }];
      default:
        return [];
    }
  }

  /** The run is over: messages still open are finished, so clients awaiting them settle. */
  finish(): ProtocolEventBody[] {
    return [...this.open.keys()].flatMap((key) => this.closeMessage(key.split('|').filter(Boolean)));
  }

  /** The root namespace's last lifecycle event for a run that ended with `outcome`. */
  terminal(outcome: RunOutcome, graphName: string): ProtocolEventBody {
    const error = isObject(outcome.output) && isObject(outcome.output['__error__']) ? outcome.output['__error__'] : null;
    const pending = isObject(outcome.output) && Array.isArray(outcome.output['__interrupt__']) && outcome.output['__interrupt__'].length > 0;
    let status: AgentStatus = 'completed';
    if (outcome.status === 'error' || outcome.status === 'timeout') status = 'failed';
    else if (outcome.status === 'interrupted' || pending || this.interrupted) status = 'interrupted';
    const data: Json = { event: status, graph_name: graphName };
    if (status === 'failed') data['error'] = error ? String(error['message'] ?? error['error'] ?? 'Run failed') : `Run ended with status ${outcome.status}`;
    return { method: 'lifecycle', namespace: [], data };
  }

  private values(namespace: Namespace, data: unknown): ProtocolEventBody[] {
    if (!isObject(data)) return [{ method: 'values', namespace, data }];
    const { __interrupt__: _interrupt, ...values } = data;
    // A chunk that only announced an interrupt carries no state.
    if (Object.keys(values).length === 0 && _interrupt !== undefined) return [];
    return [{ method: 'values', namespace, data: values }];
  }

  private updates(namespace: Namespace, data: unknown): ProtocolEventBody[] {
    if (!isObject(data)) return [];
    return Object.entries(data)
      .filter(([node]) => node !== '__interrupt__')
      .map(([node, values]) => ({ method: 'updates' as const, namespace, node, data: { node, values: isObject(values) ? values : { value: values } } }));
  }

  private inputRequests(namespace: Namespace, data: unknown): ProtocolEventBody[] {
    // `values` and `updates` both announce an interrupt: it is requested once.
    const fresh = interruptsOf(data).filter((request) => !this.interrupts.has(request.interrupt_id));
    for (const request of fresh) this.interrupts.add(request.interrupt_id);
    return fresh.map((request) => ({ method: 'input.requested' as const, namespace, data: request }));
  }

  private checkpoint(data: unknown): Json {
    const shaped = isObject(data) ? data : {};
    const checkpoint = isObject(shaped['checkpoint']) ? shaped['checkpoint'] : {};
    const parent = isObject(shaped['parent_checkpoint']) ? shaped['parent_checkpoint'] : null;
    const metadata = isObject(shaped['metadata']) ? shaped['metadata'] : {};
    const envelope: Json = { id: checkpoint['checkpoint_id'] ?? null, step: metadata['step'] ?? null, source: metadata['source'] ?? null };
    if (parent?.['checkpoint_id']) envelope['parent_id'] = parent['checkpoint_id'];
    return envelope;
  }

  private message(namespace: Namespace, data: unknown): ProtocolEventBody[] {
    if (!Array.isArray(data) || !isObject(data[0])) return [];
    const [chunk, metadata] = data as [Json, unknown];
    const role = ROLES[String(chunk['type'])];
    const node = isObject(metadata) && typeof metadata['langgraph_node'] === 'string' ? metadata['langgraph_node'] : undefined;
    const id = typeof chunk['id'] === 'string' ? chunk['id'] : null;
    if (!role || !id) return [];
    const key = namespace.join('|');
    const events: ProtocolEventBody[] = [];
    let message = this.open.get(key);
    if (message && message.id !== id) {
      events.push(...this.closeMessage(namespace));
      message = undefined;
    }
    const at = (body: Json): ProtocolEventBody => ({ method: 'messages', namespace, ...(node ? { node } : {}), data: body });
    if (!message) {
      message = { id, node, textStarted: false, text: '', toolCalls: new Map(), usage: undefined };
      this.open.set(key, message);
      events.push(at({ event: 'message-start', role, id }));
    }
    const text = textOf(chunk['content']);
    if (text) {
      if (!message.textStarted) {
        message.textStarted = true;
        events.push(at({ event: 'content-block-start', index: 0, content: { type: 'text', text: '' } }));
      }
      message.text += text;
      events.push(at({ event: 'content-block-delta', index: 0, delta: { type: 'text-delta', text } }));
    }
    this.collectToolCalls(message, chunk);
    if (isObject(chunk['usage_metadata'])) message.usage = chunk['usage_metadata'];
    return events;
  }

  /** Tool call chunks are gathered and sent as finished blocks when the message ends (blocks never interleave). */
  private collectToolCalls(message: OpenMessage, chunk: Json): void {
    const chunks = Array.isArray(chunk['tool_call_chunks']) ? chunk['tool_call_chunks'] : [];
    for (const [position, raw] of chunks.entries()) {
      if (!isObject(raw)) continue;
      const index = typeof raw['index'] === 'number' ? raw['index'] : position;
      const current = message.toolCalls.get(index) ?? { id: null, name: null, args: '' };
      message.toolCalls.set(index, {
        id: typeof raw['id'] === 'string' ? raw['id'] : current.id,
        name: typeof raw['name'] === 'string' ? raw['name'] : current.name,
        args: current.args + (typeof raw['args'] === 'string' ? raw['args'] : ''),
      });
    }
    // A whole message (not streamed) names its tool calls already parsed.
    if (chunks.length === 0 && Array.isArray(chunk['tool_calls'])) {
      for (const [index, call] of chunk['tool_calls'].entries()) {
        if (!isObject(call)) continue;
        message.toolCalls.set(index, { id: (call['id'] as string) ?? null, name: (call['name'] as string) ?? null, args: JSON.stringify(call['args'] ?? {}) });
      }
    }
  }

  private closeMessage(namespace: Namespace): ProtocolEventBody[] {
    const key = namespace.join('|');
    const message = this.open.get(key);
    if (!message) return [];
    this.open.delete(key);
    const at = (body: Json): ProtocolEventBody => ({ method: 'messages', namespace, ...(message.node ? { node: message.node } : {}), data: body });
    const events: ProtocolEventBody[] = [];
    let index = 0;
    if (message.textStarted) {
      events.push(at({ event: 'content-block-finish', index: 0, content: { type: 'text', text: message.text } }));
      index = 1;
    }
    for (const call of [...message.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, value]) => value)) {
      const content = { type: 'tool_call', id: call.id, name: call.name ?? '', args: parseArgs(call.args) };
      events.push(at({ event: 'content-block-start', index, content: { type: 'tool_call_chunk', id: call.id, name: call.name, args: call.args } }));
      events.push(at({ event: 'content-block-finish', index, content }));
      index += 1;
    }
    events.push(at({ event: 'message-finish', ...(message.usage ? { usage: message.usage } : {}) }));
    return events;
  }
}
