import { type EventFilter, type ProtocolEvent, type ProtocolEventBody, matchesFilter } from './protocol-types';

export interface EventSink {
  filter: EventFilter;
  send(event: ProtocolEvent): void;
}

/** Events one thread keeps for replay; past it the oldest go (a client then replays from the newest kept). */
export const MAX_BUFFERED_EVENTS = 10_000;

/**
 * What this process knows of one thread's protocol stream: the numbered events of its runs since the thread was
 * last idle, kept so every new event stream replays them (the SDK opens a fresh stream on each subscribe and
 * expects the run's history from its start), and the streams attached now. Runs, state and checkpoints stay in
 * the database; this is only the fan-out and its replay window.
 */
export class ProtocolThread {
  private seq = 0;
  private events: ProtocolEvent[] = [];
  private readonly sinks = new Set<EventSink>();
  /** Runs bound to the thread, followed one after the other; the first is being followed. */
  readonly runs: string[] = [];
  readonly subscriptions = new Map<string, EventFilter>();
  /** The assistant the thread's protocol runs use (`input.respond` names none). */
  assistantId: string | null = null;

  constructor(
    readonly threadId: string,
    private readonly now: () => number,
  ) {}

  /** The last sequence number given: what a command response's `applied_through_seq` says. */
  get lastSeq(): number {
    return this.seq;
  }

  get idle(): boolean {
    return this.runs.length === 0 && this.sinks.size === 0;
  }

  push(body: ProtocolEventBody): ProtocolEvent {
    this.seq += 1;
    const event: ProtocolEvent = {
      type: 'event',
      event_id: String(this.seq),
      seq: this.seq,
      method: body.method,
      params: { namespace: body.namespace, timestamp: this.now(), ...(body.node ? { node: body.node } : {}), data: body.data },
    };
    this.events.push(event);
    if (this.events.length > MAX_BUFFERED_EVENTS) this.events = this.events.slice(-MAX_BUFFERED_EVENTS);
    for (const sink of this.sinks) if (matchesFilter(sink.filter, event)) sink.send(event);
    return event;
  }

  /** Replays the kept events the sink's filter selects, then delivers live ones. Returns the detach. */
  attach(sink: EventSink): () => void {
    for (const event of this.events) if (matchesFilter(sink.filter, event)) sink.send(event);
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Kept events a filter selects (a subscription's `replayed_events`). */
  count(filter: EventFilter): number {
    return this.events.filter((event) => matchesFilter(filter, event)).length;
  }

  /**
   * A run starts on an idle thread: the previous runs' events leave the replay window, so a new stream does not
   * replay an earlier run's end as if it were this one's. Numbering goes on, so event ids never repeat.
   */
  startWindow(): void {
    if (this.runs.length === 0) this.events = [];
  }
}
