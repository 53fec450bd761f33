import type { Response } from 'express';
import type { RunEvent } from './run-event';

export interface SseOptions {
  heartbeatMs: number;
  /** Send `id:` lines (the run's sequence numbers), so a client can rejoin with `Last-Event-ID`. */
  withIds: boolean;
  headers?: Record<string, string>;
}

/**
 * Writes the LangGraph SSE framing (`event`, `data`, optional `id`, CRLF, blank line) and comment
 * heartbeats, which keep proxies and the SDK's idle watchdog from cutting a quiet run.
 */
export class SseWriter {
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;

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
    this.heartbeat = setInterval(() => this.write(': heartbeat\r\n\r\n'), this.options.heartbeatMs);
    this.heartbeat.unref();
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
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.response.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private write(chunk: string): void {
    if (this.closed || this.response.writableEnded) return;
    this.response.write(chunk);
  }
}
