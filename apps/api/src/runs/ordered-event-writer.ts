import type { RunEvent } from '../streaming/run-event';

/**
 * Stores one run's events in the order they were published, one write at a time, the events published while a
 * write is under way going together in the next. Other replicas follow stored events by `seq > last seen`: two
 * writes in flight on two pooled connections could commit the later event first, and a follower reading between
 * the commits would skip the earlier event for good. Awaiting `flushed()` before the run's end is written keeps
 * every stored event visible before the end is.
 */
export class OrderedEventWriter {
  private readonly queued: RunEvent[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly write: (events: RunEvent[]) => Promise<void>,
    private readonly onError: (events: RunEvent[], error: unknown) => void,
  ) {}

  add(event: RunEvent): void {
    this.queued.push(event);
    this.writing ??= this.drain();
  }

  /** Resolves once every event added so far was written (or its write failed and was reported). */
  flushed(): Promise<void> {
    return this.writing ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0);
      try {
        await this.write(batch);
      } catch (error) {
        this.onError(batch, error);
      }
    }
    this.writing = null;
  }
}
