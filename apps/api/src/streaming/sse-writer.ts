import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { OpenStreams } from './open-streams';
import type { RunEvent } from './run-event';

/**
 * Sent before a stream is closed at shutdown. A frame with only a `retry:` field is no event: the SDK's SSE decoder
 * keeps it to itself (a control part) and does not count it as progress, and a browser's EventSource takes it as the
 * reconnection delay. The stream then ends without `end`, so the SDK asks for the run and, while it is pending or
 * running, reconnects to the stream's `Location` with `Last-Event-ID`: on another process behind the load balancer.
 */
export const HAND_OFF_FRAME = ': server shutting down, reconnect\r\nretry: 1000\r\n\r\n';

export interface SseOptions {
  heartbeatMs: number;
  /** Send `id:` lines (the run's sequence numbers), so a client can rejoin with `Last-Event-ID`. */
  withIds: boolean;
  headers?: Record<string, string>;
  /** Bytes this process may hold for a client that reads slower than the run writes; past it the client is dropped. */
  maxBufferBytes: number;
  /** A client whose socket has not drained for this long is dropped, whatever it has buffered. */
  stallTimeoutMs: number;
  /** Where the stream registers so that a shutdown hands it off to another process (see HAND_OFF_FRAME). */
  streams?: OpenStreams;
}

/**
 * Writes the LangGraph SSE framing (`event`, `data`, optional `id`, CRLF, blank line) and comment
 * heartbeats, which keep proxies and the SDK's idle watchdog from cutting a quiet run.
 *
 * Backpressure: once the socket stops taking data (`write` answers false), heartbeats pause and a stall
 * timer starts; `drain` clears it. A client still stalled at the timeout, or whose unsent bytes would
 * pass the buffer limit while it is stalled, is dropped (its connection destroyed), so a stalled reader
 * costs at most the limit plus one event.
 * Dropping counts as a disconnect: the response's `close` follows, as when the client leaves.
 *
 * Coalescing: events written back to back (a graph step often emits several) leave in one socket write: the
 * response is corked at the first write and uncorked by a microtask queued then, so it sends once the code that
 * is running has yielded, one syscall for the batch rather than one per event. Not `setImmediate`: a run whose
 * steps chain only promises (SQLite writes are synchronous) would hold its first event until it had finished.
 */
export class SseWriter {
  private static readonly logger = new Logger(SseWriter.name);
  private heartbeat: NodeJS.Timeout | null = null;
  private stall: NodeJS.Timeout | null = null;
  private closed = false;
  private untrack: (() => void) | null = null;
  private corked = false;

  constructor(
    private readonly response: Response,
    private readonly options: SseOptions,
  ) {}

  start(): void {
    this.response.status(200);
    this.response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.response.setHeader('Cache-Control', 'no-store');
    this.response.setHeader('Connection', 'keep-alive');
    this.response.setHeader('X-Accel-Buffering', 'no');
    for (const [name, value] of Object.entries(this.options.headers ?? {})) this.response.setHeader(name, value);
    this.response.flushHeaders();
    this.response.socket?.setNoDelay(true);
    this.heartbeat = setInterval(() => {
      if (!this.stall) this.write(': heartbeat\r\n\r\n');
    }, this.options.heartbeatMs);
    this.heartbeat.unref();
    this.untrack = this.options.streams?.track(this) ?? null;
  }

  /** The process is stopping: the client is told to reconnect (elsewhere), then the response ends. */
  handOff(): void {
    this.write(HAND_OFF_FRAME);
    this.end();
  }

  send(event: RunEvent): void {
    const id = this.options.withIds ? `id: ${event.seq}\r\n` : '';
    this.write(`event: ${event.event}\r\ndata: ${event.data}\r\n${id}\r\n`);
  }

  /** An event numbered by the caller (a thread stream's ids span several runs). */
  sendWithId(id: string, event: string, data: string): void {
    this.write(`event: ${event}\r\ndata: ${data}\r\nid: ${id}\r\n\r\n`);
  }

  /** For events that are not part of the run's log (e.g. an error raised before the run existed). */
  sendRaw(event: string, data: string): void {
    this.write(`event: ${event}\r\ndata: ${data}\r\n\r\n`);
  }

  end(): void {
    if (this.closed) return;
    this.stop();
    this.response.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private write(chunk: string): void {
    if (this.closed || this.response.writableEnded) return;
    // Counted only while stalled: one large event to a client that keeps up is not a reason to drop it.
    if (this.stall && this.response.writableLength + Buffer.byteLength(chunk) > this.options.maxBufferBytes) {
      this.drop(`${this.response.writableLength} bytes unsent, STREAM_MAX_BUFFER_BYTES reached`);
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.response.cork();
      queueMicrotask(() => this.uncork());
    }
    const accepted = this.response.write(chunk);
    if (!accepted && !this.stall) {
      this.stall = setTimeout(() => this.drop(`no drain for ${this.options.stallTimeoutMs} ms`), this.options.stallTimeoutMs);
      this.stall.unref();
      this.response.once('drain', () => this.drained());
    }
  }

  /** `end()` and `destroy()` flush or discard what is corked themselves; a late uncork is then a no-op. */
  private uncork(): void {
    this.corked = false;
    if (!this.response.writableEnded && !this.response.destroyed) this.response.uncork();
  }

  private drained(): void {
    if (this.stall) clearTimeout(this.stall);
    this.stall = null;
  }

  private drop(reason: string): void {
    if (this.closed) return;
    SseWriter.logger.warn(`dropped a stalled SSE client (${reason})`);
    this.stop();
    this.response.destroy();
  }

  private stop(): void {
    this.closed = true;
    this.untrack?.();
    this.untrack = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.drained();
  }
}
