import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage, Server } from 'node:http';
import { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { AuthContext } from '../auth/auth-context';
import type { RequestAuth } from '../auth/auth-handlers';
import { describeException } from '../common/http-exception.filter';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { OpenStreams } from '../streaming/open-streams';
import { parseCommand, parseSubscriptionId } from './command-params';
import type { ProtocolCommand, ProtocolErrorCode, ProtocolErrorResponse } from './protocol-types';
import { ThreadProtocolService } from './thread-protocol.service';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** An upgrade request on its way through the HTTP app to the route that takes it over. */
interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  response: ServerResponse;
}

const pendingUpgrades = new WeakMap<IncomingMessage, PendingUpgrade>();

/** One accepted socket: its subscriptions (id → how to end it), and whether it has closed. */
interface Connection {
  subscriptions: Map<string, () => void>;
  closed: boolean;
}

/** Close codes the SDK reads: 4000 + the HTTP status a command stream would have answered; 1012 asks it to reconnect. */
const CLOSE_BUFFER_FULL = 4000 + 429;
const CLOSE_RESTARTING = 1012;

/** The protocol's code for a failure, from the HTTP status and detail the same failure answers over HTTP. */
function errorCodeFor(status: number, detail: string): ProtocolErrorCode {
  if (status >= 500) return 'unknown_error';
  if (status === 403 || status === 401) return 'permission_denied';
  if (status === 404 && detail.startsWith('Run ')) return 'no_such_run';
  if (status === 404 && detail.includes('subscription')) return 'no_such_subscription';
  if (status === 404 && detail.includes('interrupt')) return 'no_such_interrupt';
  if (detail.startsWith('method: unknown command')) return 'unknown_command';
  return 'invalid_argument';
}

/**
 * The thread protocol's WebSocket transport (`client.threads.stream(..., {transport: 'websocket'})`): `GET
 * /threads/{id}/stream/events` upgraded. An upgrade goes through the same HTTP app as any request (mount prefix,
 * API keys and custom auth, custom routes, `http.disable_*`, the thread id's check), so a refusal is the usual HTTP
 * answer; the route then hands the connection here. Commands come in as frames and are answered in frames, with the
 * events of the connection's subscriptions on the same ordered connection, as the reference server does.
 */
@Injectable()
export class ThreadProtocolSockets implements OnApplicationShutdown {
  private readonly logger = new Logger(ThreadProtocolSockets.name);
  private readonly sockets: WebSocketServer;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly protocol: ThreadProtocolService,
    private readonly streams: OpenStreams,
  ) {
    this.sockets = new WebSocketServer({ noServer: true, maxPayload: config.requestBody.maxBytes });
  }

  /** Sends the server's upgrade requests through `app`, the HTTP app every other request goes through. */
  listen(server: Server, app: RequestListener): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const response = new ServerResponse(request);
      response.assignSocket(socket as never);
      // An answer written instead of the upgrade (a refusal, a 404) ends the connection.
      response.on('finish', () => socket.destroy());
      socket.on('error', () => socket.destroy());
      pendingUpgrades.set(request, { socket, head, response });
      app(request, response);
    });
  }

  /** Whether the request asks for the WebSocket transport (it came in as an upgrade). */
  isUpgrade(request: IncomingMessage): boolean {
    return pendingUpgrades.has(request);
  }

  /** Takes the connection over from HTTP: called by the route, inside the request's auth context. */
  accept(threadId: string, request: IncomingMessage): void {
    const pending = pendingUpgrades.get(request);
    if (!pending) throw new Error('accept() called for a request that is not an upgrade');
    pendingUpgrades.delete(request);
    const auth = AuthContext.current();
    pending.response.detachSocket(pending.socket as never);
    this.sockets.handleUpgrade(request, pending.socket, pending.head, (socket) => this.serve(threadId, socket, auth));
  }

  private serve(threadId: string, socket: WebSocket, auth: RequestAuth | null): void {
    const connection: Connection = { subscriptions: new Map(), closed: false };
    const forget = this.streams.track({ handOff: () => socket.close(CLOSE_RESTARTING, 'Server restarting: reconnect') });
    const send = (message: unknown): void => {
      if (socket.readyState !== socket.OPEN) return;
      // A client that stops reading is dropped past the same buffer an SSE client gets, not buffered without end.
      if (socket.bufferedAmount > this.config.stream.maxBufferBytes) {
        socket.close(CLOSE_BUFFER_FULL, 'Client too slow: unsent events passed STREAM_MAX_BUFFER_BYTES');
        return;
      }
      socket.send(JSON.stringify(message));
    };
    socket.on('message', (data: RawData) => {
      // Each command runs as the caller the upgrade was authenticated as.
      AuthContext.run(auth, () => this.handle(threadId, data, connection, send)).catch((error: unknown) => {
        this.logger.error(`thread ${threadId}: protocol frame not handled: ${(error as Error).message}`);
      });
    });
    const openedAt = performance.now();
    socket.on('close', (code: number) => {
      // The request log writes no line for an upgraded request: the socket's end is its line.
      this.logger.log({ msg: 'protocol socket closed', thread_id: threadId, code, duration_ms: Math.round(performance.now() - openedAt) });
      forget();
      connection.closed = true;
      for (const detach of connection.subscriptions.values()) detach();
      connection.subscriptions.clear();
    });
    socket.on('error', (error) => this.logger.debug(`thread ${threadId}: protocol socket error: ${error.message}`));
  }

  private async handle(threadId: string, data: RawData, connection: Connection, send: (message: unknown) => void): Promise<void> {
    let command: ProtocolCommand;
    try {
      // Text and binary frames alike carry a JSON command, as browsers may send either.
      command = parseCommand(JSON.parse(data.toString()));
    } catch (error) {
      const detail = error instanceof SyntaxError ? 'Protocol commands must be valid JSON' : String(describeException(error, this.logger).detail);
      send({ type: 'error', id: null, error: 'invalid_argument', message: detail } satisfies ProtocolErrorResponse);
      return;
    }
    try {
      if (command.method === 'subscription.subscribe') {
        const { id, detach } = await this.protocol.subscribeSocket(threadId, command, send);
        // The socket may have closed while the subscription was being set up: it must not outlive it.
        if (connection.closed) detach();
        else connection.subscriptions.set(id, detach);
        return;
      }
      const response = await this.protocol.command(threadId, command);
      if (command.method === 'subscription.unsubscribe') {
        const id = parseSubscriptionId(command.params);
        connection.subscriptions.get(id)?.();
        connection.subscriptions.delete(id);
      }
      send(response);
    } catch (error) {
      const { status, detail } = describeException(error, this.logger);
      const message = typeof detail === 'string' ? detail : JSON.stringify(detail);
      send({ type: 'error', id: command.id, error: errorCodeFor(status, message), message } satisfies ProtocolErrorResponse);
    }
  }

  onApplicationShutdown(): void {
    for (const socket of this.sockets.clients) socket.terminate();
    this.sockets.close();
  }
}
