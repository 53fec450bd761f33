import { EventEmitter } from 'node:events';
import type { AppConfig } from '../config/app-config';
import { OpenStreams } from '../streaming/open-streams';
import type { ThreadProtocolService } from './thread-protocol.service';
import { ThreadProtocolSockets } from './thread-protocol.sockets';

const THREAD = '0b6f0a5e-8f3a-4f7e-9a53-6b1f9c2d4e10';

/** What ThreadProtocolSockets uses of a `ws` socket. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: unknown[] = [];
  closedWith: number | null = null;
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
    this.emit('close', code);
  }
}

const config = { requestBody: { maxBytes: 1024 * 1024 }, stream: { maxBufferBytes: 64 * 1024 } } as unknown as AppConfig;
const settle = () => new Promise((resolve) => setImmediate(resolve));

function serving(protocol: Partial<ThreadProtocolService>): { socket: FakeSocket; streams: OpenStreams; sockets: ThreadProtocolSockets } {
  const streams = new OpenStreams();
  const sockets = new ThreadProtocolSockets(config, protocol as ThreadProtocolService, streams);
  const socket = new FakeSocket();
  (sockets as unknown as { serve(threadId: string, socket: FakeSocket, auth: null): void }).serve(THREAD, socket, null);
  return { socket, streams, sockets };
}

describe('ThreadProtocolSockets', () => {
  it('ends a subscription whose socket closed while it was being set up', async () => {
    let finishSubscribe: (value: { id: string; detach: () => void }) => void = () => undefined;
    const detach = jest.fn();
    const { socket } = serving({ subscribeSocket: () => new Promise((resolve) => (finishSubscribe = resolve)) });
    socket.emit('message', Buffer.from(JSON.stringify({ id: 1, method: 'subscription.subscribe', params: { channels: ['values'] } })));
    await settle();
    socket.close(1000);
    finishSubscribe({ id: 'sub-1', detach });
    await settle();
    expect(detach).toHaveBeenCalledTimes(1);
  });

  it('ends every subscription when the socket closes, and is no longer an open stream', async () => {
    const detach = jest.fn();
    const { socket, streams } = serving({ subscribeSocket: async () => ({ id: 'sub-1', detach }) });
    expect(streams.size).toBe(1);
    socket.emit('message', Buffer.from(JSON.stringify({ id: 1, method: 'subscription.subscribe', params: { channels: ['values'] } })));
    await settle();
    expect(detach).not.toHaveBeenCalled();
    socket.close(1000);
    expect(detach).toHaveBeenCalledTimes(1);
    expect(streams.size).toBe(0);
  });

  it('closes a client that stops reading once the unsent bytes pass the stream buffer, instead of buffering more', async () => {
    const { socket } = serving({ command: async () => ({ type: 'success', id: 1, result: {}, meta: { thread_id: THREAD, applied_through_seq: 0 } }) });
    socket.bufferedAmount = 64 * 1024 + 1;
    socket.emit('message', Buffer.from(JSON.stringify({ id: 1, method: 'state.get' })));
    await settle();
    expect(socket.sent).toEqual([]);
    expect(socket.closedWith).toBe(4429);
  });

  it('asks clients to reconnect when the process hands its streams off at shutdown', () => {
    const { socket, streams } = serving({});
    expect(streams.handOffAll()).toBe(1);
    expect(socket.closedWith).toBe(1012);
  });

  it('answers a failure with an error frame naming its code and detail, and the next command still runs', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const command = jest
      .fn()
      .mockRejectedValueOnce(Object.assign(new Error('boom'), { name: 'NotFoundException' }))
      .mockResolvedValueOnce({ type: 'success', id: 2, result: {}, meta: { thread_id: THREAD, applied_through_seq: 0 } });
    const { socket } = serving({ command });
    socket.emit('message', Buffer.from(JSON.stringify({ id: 1, method: 'subscription.unsubscribe', params: { subscription_id: 'nope' } })));
    await settle();
    socket.emit('message', Buffer.from(JSON.stringify({ id: 2, method: 'state.get' })));
    await settle();
    expect(socket.sent).toEqual([
      { type: 'error', id: 1, error: 'unknown_error', message: 'Internal server error' },
      { type: 'success', id: 2, result: {}, meta: { thread_id: THREAD, applied_through_seq: 0 } },
    ]);
  });
});
