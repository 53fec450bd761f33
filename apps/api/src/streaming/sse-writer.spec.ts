import type { Response } from 'express';
import { Writable } from 'node:stream';
import { OpenStreams } from './open-streams';
import { HAND_OFF_FRAME, SseWriter } from './sse-writer';

/**
 * A response over a socket that takes bytes only when told to: writes pile up in its buffer (as when a
 * client stops reading), `write` answers false past 1 KB, and `drain` comes once the reader catches up.
 */
class SlowResponse extends Writable {
  private readonly unread: (() => void)[] = [];
  destroyedByServer = false;

  constructor() {
    super({ highWaterMark: 1024, decodeStrings: false });
  }

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    this.unread.push(callback);
  }

  /** The client reads everything buffered so far (each read lets the stream hand over its next chunk). */
  readAll(): void {
    while (this.unread.length > 0) this.unread.shift()?.();
  }

  override destroy(error?: Error): this {
    this.destroyedByServer = true;
    return super.destroy(error);
  }

  status(): this {
    return this;
  }
  setHeader(): this {
    return this;
  }
  flushHeaders(): void {
    // Headers are not modelled.
  }
}

const EVENT_DATA = JSON.stringify({ text: 'x'.repeat(1000) });

function writer(response: SlowResponse, limits: { maxBufferBytes: number; stallTimeoutMs: number }): SseWriter {
  const sse = new SseWriter(response as unknown as Response, { heartbeatMs: 1_000, withIds: false, ...limits });
  sse.start();
  return sse;
}

describe('SseWriter backpressure', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('drops a client that stops reading once its unsent bytes reach the buffer limit', () => {
    const response = new SlowResponse();
    const sse = writer(response, { maxBufferBytes: 64 * 1024, stallTimeoutMs: 60_000 });
    let sent = 0;
    while (!sse.isClosed && sent < 10_000) sse.send({ seq: sent++, event: 'values', data: EVENT_DATA });
    expect(sse.isClosed).toBe(true);
    expect(response.destroyedByServer).toBe(true);
    // The limit plus at most one event, not the 10 MB the run went on to write.
    expect(response.writableLength).toBeLessThanOrEqual(64 * 1024 + 1100);
    expect(sent).toBeLessThan(100);
  });

  it('drops a client stalled past the stall timeout, and keeps one that drains in time', () => {
    const stalled = new SlowResponse();
    const reading = new SlowResponse();
    const dropped = writer(stalled, { maxBufferBytes: 4 * 1024 * 1024, stallTimeoutMs: 5_000 });
    const kept = writer(reading, { maxBufferBytes: 4 * 1024 * 1024, stallTimeoutMs: 5_000 });
    for (let seq = 0; seq < 3; seq++) {
      dropped.send({ seq, event: 'values', data: EVENT_DATA });
      kept.send({ seq, event: 'values', data: EVENT_DATA });
    }
    jest.advanceTimersByTime(4_000);
    reading.readAll();
    jest.advanceTimersByTime(2_000);
    expect(dropped.isClosed).toBe(true);
    expect(stalled.destroyedByServer).toBe(true);
    expect(kept.isClosed).toBe(false);
    kept.end();
  });

  it('sends no heartbeats into a stalled socket', () => {
    const response = new SlowResponse();
    const sse = writer(response, { maxBufferBytes: 4 * 1024 * 1024, stallTimeoutMs: 60_000 });
    sse.send({ seq: 0, event: 'values', data: EVENT_DATA.repeat(2) });
    const buffered = response.writableLength;
    jest.advanceTimersByTime(30_000);
    expect(response.writableLength).toBe(buffered);
    sse.end();
  });
});

describe('SseWriter hand-off at shutdown', () => {
  it('sends the reconnect frame (no event, so the SDK rejoins instead of ending) and ends every open stream', () => {
    const streams = new OpenStreams();
    const responses = [new SlowResponse(), new SlowResponse()];
    const writers = responses.map((response) => {
      const sse = new SseWriter(response as unknown as Response, { heartbeatMs: 60_000, withIds: true, maxBufferBytes: 1 << 20, stallTimeoutMs: 60_000, streams });
      sse.start();
      return sse;
    });
    writers[1].end();
    expect(streams.size).toBe(1);

    const chunks: string[] = [];
    const write = responses[0].write.bind(responses[0]);
    responses[0].write = ((chunk: string) => {
      chunks.push(chunk);
      return write(chunk);
    }) as typeof responses[0]['write'];
    writers[0].send({ seq: 3, event: 'values', data: '{}' });
    expect(streams.handOffAll()).toBe(1);
    responses.forEach((response) => response.readAll());

    expect(chunks).toEqual(['event: values\r\ndata: {}\r\nid: 3\r\n\r\n', HAND_OFF_FRAME]);
    // Neither an `event:` nor a `data:` line: the SDK's decoder turns it into a control part, not a chunk.
    expect(HAND_OFF_FRAME.split('\r\n').filter((line) => /^(event|data):/.test(line))).toEqual([]);
    expect(writers[0].isClosed).toBe(true);
    expect(responses[0].writableEnded).toBe(true);
    expect(streams.size).toBe(0);
  });

  it('hands off at once a stream opened after shutdown began', () => {
    const streams = new OpenStreams();
    streams.handOffAll();
    const response = new SlowResponse();
    const sse = new SseWriter(response as unknown as Response, { heartbeatMs: 60_000, withIds: false, maxBufferBytes: 1 << 20, stallTimeoutMs: 60_000, streams });
    sse.start();
    expect(sse.isClosed).toBe(true);
    expect(streams.size).toBe(0);
  });
});

describe('SseWriter write coalescing', () => {
  /** A socket that records each write it is handed (writev hands several chunks at once). */
  class RecordingResponse extends Writable {
    readonly writes: string[] = [];
    constructor() {
      super({ decodeStrings: false });
    }
    override _writev(chunks: { chunk: unknown }[], callback: () => void): void {
      this.writes.push(chunks.map((c) => String(c.chunk)).join(''));
      callback();
    }
    override _write(chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
      this.writes.push(String(chunk));
      callback();
    }
    status(): this {
      return this;
    }
    setHeader(): this {
      return this;
    }
    flushHeaders(): void {
      // Headers are not modelled.
    }
  }

  it('sends events written back to back in one socket write, and later events in the next', async () => {
    const response = new RecordingResponse();
    const sse = new SseWriter(response as unknown as Response, { heartbeatMs: 60_000, withIds: true, maxBufferBytes: 1 << 20, stallTimeoutMs: 60_000 });
    sse.start();
    sse.send({ seq: 0, event: 'metadata', data: '{"run_id":"r"}' });
    sse.send({ seq: 1, event: 'values', data: '{"n":1}' });
    expect(response.writes).toEqual([]);
    await Promise.resolve();
    expect(response.writes).toEqual(['event: metadata\r\ndata: {"run_id":"r"}\r\nid: 0\r\n\r\nevent: values\r\ndata: {"n":1}\r\nid: 1\r\n\r\n']);
    sse.send({ seq: 2, event: 'values', data: '{"n":2}' });
    sse.end();
    // end() flushes at once what the turn had corked.
    expect(response.writes.slice(1).join('')).toBe('event: values\r\ndata: {"n":2}\r\nid: 2\r\n\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(response.writes).toHaveLength(2);
  });
});
