import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { RunSignals } from '../common/run-signals';
import type { RunEvent, RunListener, RunOutcome } from './run-event';
import { StreamBroker } from './stream-broker';

interface Channel {
  nextSeq: number;
  keepEvents: boolean;
  events: RunEvent[];
  listeners: Set<RunListener>;
  outcome: RunOutcome | null;
  /** This process's executor runs it: never swept, whatever its silence. */
  executing: boolean;
  /** Last open, event or subscription, for the orphan sweep. */
  activeAt: number;
  /** Set once the channel is due to go (finished, or ended elsewhere). */
  retiring: NodeJS.Timeout | null;
}

/** How long a finished run's channel lingers, so a join racing the run's end still gets the outcome. */
const LINGER_MS = 5_000;
/**
 * A channel nobody executes here, nobody listens to and nothing has touched for this long is dropped:
 * the safety net for a run whose end this process never heard of (a lost NOTIFY, a replica without the
 * PostgreSQL bridge). A client that joins it later reads the run from the database instead.
 */
export const ORPHAN_IDLE_MS = 300_000;
const SWEEP_EVERY_MS = 60_000;

/** The default broker: one process, no network hop between the worker and the HTTP response. */
@Injectable()
export class InProcessStreamBroker extends StreamBroker implements OnModuleDestroy {
  private readonly channels = new Map<string, Channel>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly stopEndedSignal: () => void;

  constructor(signals: RunSignals | null = null, private readonly clock: Clock = new SystemClock()) {
    super();
    // A run that ended anywhere (here, a forked worker, another replica through NOTIFY) closes its channel here.
    this.stopEndedSignal = signals?.onEnded((runId) => this.endedElsewhere(runId)) ?? (() => undefined);
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    this.stopEndedSignal();
  }

  /** Channels held in memory (open, lingering or retiring). */
  get channelCount(): number {
    return this.channels.size;
  }

  open(runId: string, options: { keepEvents: boolean; executing?: boolean }): void {
    const existing = this.channels.get(runId);
    if (existing && !existing.outcome) {
      existing.keepEvents ||= options.keepEvents;
      existing.executing ||= options.executing === true;
      existing.activeAt = this.clock.now();
      if (existing.retiring) clearTimeout(existing.retiring);
      existing.retiring = null;
      return;
    }
    this.channels.set(runId, {
      nextSeq: 0,
      keepEvents: options.keepEvents,
      events: [],
      listeners: new Set(),
      outcome: null,
      executing: options.executing === true,
      activeAt: this.clock.now(),
      retiring: null,
    });
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
    this.deliver(channel, runEvent);
    return runEvent;
  }

  relay(runId: string, event: RunEvent): void {
    const channel = this.channels.get(runId);
    if (!channel || channel.outcome) return;
    channel.nextSeq = Math.max(channel.nextSeq, event.seq + 1);
    this.deliver(channel, event);
  }

  finish(runId: string, outcome: RunOutcome): void {
    const channel = this.channels.get(runId);
    if (!channel || channel.outcome) return;
    channel.outcome = outcome;
    channel.executing = false;
    for (const listener of channel.listeners) listener.onDone(outcome);
    channel.listeners.clear();
    this.retire(runId, channel);
  }

  release(runId: string): void {
    const channel = this.channels.get(runId);
    // A retry (here, in a worker process or on another replica) reopens or ends it; otherwise the sweep takes it.
    if (channel) channel.executing = false;
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
    channel.activeAt = this.clock.now();
    channel.listeners.add(listener);
    return () => {
      channel.listeners.delete(listener);
      channel.activeAt = this.clock.now();
    };
  }

  /** Drops orphaned channels; runs on a timer, public so tests can run it after moving their clock. */
  sweep(): void {
    const idleSince = this.clock.now() - ORPHAN_IDLE_MS;
    for (const [runId, channel] of this.channels) {
      if (channel.outcome || channel.executing || channel.listeners.size > 0 || channel.activeAt > idleSince) continue;
      this.channels.delete(runId);
    }
  }

  private deliver(channel: Channel, event: RunEvent): void {
    channel.activeAt = this.clock.now();
    if (channel.keepEvents) channel.events.push(event);
    for (const listener of channel.listeners) listener.onEvent(event);
  }

  /**
   * The run ended but not through this broker: it ran on another replica, or this process's relay of it
   * was lost. Its clients here read the end from the database (they hear the same signal); the channel
   * lingers like a finished one, so late relayed events still reach them, then goes.
   */
  private endedElsewhere(runId: string): void {
    const channel = this.channels.get(runId);
    if (!channel || channel.outcome || channel.executing) return;
    this.retire(runId, channel);
  }

  private retire(runId: string, channel: Channel): void {
    if (channel.retiring) return;
    channel.retiring = setTimeout(() => {
      if (this.channels.get(runId) === channel) this.channels.delete(runId);
    }, LINGER_MS);
    channel.retiring.unref();
  }
}
