import type { BaseMessageChunk } from '@langchain/core/messages';
import type { RunnableGraph } from '../graphs/graph-registry.service';
import { shapeLibraryChunk } from './debug-events';
import { type StreamPlan, eventName } from './stream-modes';

export type Emit = (event: string, data: unknown) => void;

/** What the stream itself tells of the final state, so the common run end needs no checkpoint read. */
export interface StreamSummary {
  /** The last root `values` chunk: the state after the final step. */
  lastValues: unknown;
  /** The graph paused on an `interrupt()`: the final state must be read for its tasks. */
  interrupted: boolean;
}

interface StreamRequest {
  graph: RunnableGraph;
  input: unknown;
  config: Record<string, unknown>;
  plan: StreamPlan;
  subgraphs: boolean;
  runId: string;
  emit: Emit;
}

function splitChunk(chunk: unknown, subgraphs: boolean): { namespace: string[] | undefined; mode: string; data: unknown } {
  if (subgraphs) {
    const [namespace, mode, data] = chunk as [string[], string, unknown];
    return { namespace, mode, data };
  }
  const [mode, data] = chunk as [string, unknown];
  return { namespace: undefined, mode, data };
}

function isInterruptChunk(data: unknown): boolean {
  return typeof data === 'object' && data !== null && '__interrupt__' in data;
}

function forwardLibraryChunk(request: StreamRequest, summary: StreamSummary, namespace: string[] | undefined, mode: string, data: unknown): void {
  const { plan, emit } = request;
  if (!namespace?.length && (mode === 'values' || mode === 'updates')) {
    if (isInterruptChunk(data)) summary.interrupted = true;
    else if (mode === 'values') summary.lastValues = data;
  }
  if (mode === 'messages') {
    if (plan.requested.has('messages-tuple')) emit(eventName('messages', namespace), data);
    return;
  }
  if (plan.requested.has(mode)) emit(eventName(mode, namespace), shapeLibraryChunk(mode, data));
}

/** The lean path: `graph.stream` with only the modes the client asked for. */
async function streamGraph(request: StreamRequest, summary: StreamSummary): Promise<void> {
  const stream = await request.graph.stream(request.input, {
    ...request.config,
    streamMode: request.plan.libraryModes,
    subgraphs: request.subgraphs,
  } as never);
  for await (const chunk of stream as AsyncIterable<unknown>) {
    const { namespace, mode, data } = splitChunk(chunk, request.subgraphs);
    forwardLibraryChunk(request, summary, namespace, mode, data);
  }
}

interface StreamEvent {
  event: string;
  run_id: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  data: { chunk?: unknown };
}

interface MessageLike {
  id?: string;
}

/** Legacy `messages` mode: metadata once per message, then the message as accumulated so far. */
class LegacyMessages {
  private readonly partial = new Map<string, BaseMessageChunk>();
  private readonly completed = new Set<string>();

  constructor(private readonly emit: Emit) {}

  onModelChunk(event: StreamEvent): void {
    const chunk = event.data.chunk as BaseMessageChunk | undefined;
    if (!chunk?.id || event.tags?.includes('nostream')) return;
    const previous = this.partial.get(chunk.id);
    if (!previous) this.emit('messages/metadata', { [chunk.id]: { metadata: event.metadata ?? {} } });
    const merged = previous ? previous.concat(chunk) : chunk;
    this.partial.set(chunk.id, merged);
    this.emit('messages/partial', [merged]);
  }

  onValues(values: unknown): void {
    const messages = (values as { messages?: unknown } | null)?.messages;
    if (!Array.isArray(messages)) return;
    const fresh = (messages as MessageLike[]).filter((message) => message.id && !this.completed.has(message.id));
    for (const message of fresh) this.completed.add(message.id as string);
    if (fresh.length > 0) this.emit('messages/complete', fresh);
  }
}

/** The full path, for `events` and legacy `messages` modes, which need LangChain callback events. */
async function streamGraphEvents(request: StreamRequest, summary: StreamSummary): Promise<void> {
  const { plan, emit } = request;
  const legacy = plan.requested.has('messages') ? new LegacyMessages(emit) : null;
  const events = request.graph.streamEvents(request.input, {
    ...request.config,
    version: 'v2',
    streamMode: request.plan.libraryModes,
    subgraphs: request.subgraphs,
  } as never) as unknown as AsyncIterable<StreamEvent>;
  for await (const event of events) {
    if (event.tags?.includes('langsmith:hidden')) continue;
    if (event.event === 'on_chain_stream' && event.run_id === request.runId) {
      const { namespace, mode, data } = splitChunk(event.data.chunk, request.subgraphs);
      forwardLibraryChunk(request, summary, namespace, mode, data);
      if (legacy && mode === 'values' && !namespace?.length) legacy.onValues(data);
      continue;
    }
    if (plan.requested.has('events')) emit('events', event);
    if (legacy && event.event === 'on_chat_model_stream') legacy.onModelChunk(event);
  }
}

export async function runGraphStream(request: StreamRequest): Promise<StreamSummary> {
  const summary: StreamSummary = { lastValues: undefined, interrupted: false };
  await (request.plan.needsEvents ? streamGraphEvents(request, summary) : streamGraph(request, summary));
  return summary;
}
