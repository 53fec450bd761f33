import { Injectable } from '@nestjs/common';

/** What a stream does when its process stops: tell the client to reconnect, then close. */
export interface HandOffable {
  handOff(): void;
}

/**
 * The SSE responses this process has open. At shutdown each one is handed off (a reconnect hint, then the end of the
 * response) so clients rejoin another process instead of hanging until the connection is cut. A stream opened after
 * that point is handed off at once.
 */
@Injectable()
export class OpenStreams {
  private readonly streams = new Set<HandOffable>();
  private closing = false;

  /** Registers an open stream; answers the function that forgets it (call it when the stream ends). */
  track(stream: HandOffable): () => void {
    if (this.closing) {
      stream.handOff();
      return () => undefined;
    }
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  get size(): number {
    return this.streams.size;
  }

  /** Hands off every open stream and every later one; answers how many were open. */
  handOffAll(): number {
    this.closing = true;
    const open = [...this.streams];
    this.streams.clear();
    for (const stream of open) stream.handOff();
    return open.length;
  }
}
