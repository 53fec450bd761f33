import { Injectable } from '@nestjs/common';
import type { RunEvent, RunListener, RunOutcome } from './run-event';
import { StreamBroker } from './stream-broker';

interface Channel {
  nextSeq: number;
  keepEvents: boolean;
  events: RunEvent[];
  listeners: Set<RunListener>;
  outcome: RunOutcome | null;
}

/** How long a finished run's channel lingers, so a join racing the run's end still gets the outcome. */
const LINGER_MS = 5_000;

/** The default broker: one process, no network hop between the worker and the HTTP response. */
@Injectable()
export class InProcessStreamBroker extends StreamBroker {
  private readonly channels = new Map<string, Channel>();

  open(runId: string, options: { keepEvents: boolean }): void {
    const existing = this.channels.get(runId);
    if (existing && !existing.outcome) {
      existing.keepEvents ||= options.keepEvents;
      return;
    }
    this.channels.set(runId, { nextSeq: 0, keepEvents: options.keepEvents, events: [], listeners: new Set(), outcome: null });
  }

  isOpen(runId: string): boolean {
    const channel = this.channels.get(runId);
    return channel !== undefined && channel.outcome === null;
  }

  wants(runId: string): boolean {
    const channel = this.channels.get(runId);
    return channel !== undefined && channel.outcome === null && (channel.keepEvents || channel.listeners.size > 0);
  }

  publish(runId: string, event: string, data: string): RunEvent | null {
    const channel = this.channels.get(runId);
    if (!channel || channel.outcome) return null;
    const runEvent: RunEvent = { seq: channel.nextSeq++, event, data };
    if (channel.keepEvents) channel.events.push(runEvent);
    for (const listener of channel.listeners) listener.onEvent(runEvent);
    return runEvent;
  }

  relay(runId: string, event: RunEvent): void {
    const channel = this.channels.get(runId);
    if (!channel || channel.outcome) return;
    channel.nextSeq = Math.max(channel.nextSeq, event.seq + 1);
    if (channel.keepEvents) channel.events.push(event);
    for (const listener of channel.listeners) listener.onEvent(event);
  }

  finish(runId: string, outcome: RunOutcome): void {
    const channel = this.channels.get(runId);
    if (!channel || channel.outcome) return;
    channel.outcome = outcome;
    for (const listener of channel.listeners) listener.onDone(outcome);
    channel.listeners.clear();
    const timer = setTimeout(() => {
      if (this.channels.get(runId) === channel) this.channels.delete(runId);
    }, LINGER_MS);
    timer.unref();
  }

  subscribe(runId: string, listener: RunListener, afterSeq = -1): (() => void) | null {
    const channel = this.channels.get(runId);
    if (!channel) return null;
    for (const event of channel.events) {
      if (event.seq > afterSeq) listener.onEvent(event);
    }
    if (channel.outcome) {
      listener.onDone(channel.outcome);
      return () => undefined;
    }
    channel.listeners.add(listener);
    return () => channel.listeners.delete(listener);
  }
}
