import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { waitFor } from './wait-for';

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as requested. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw bytes as text: what a signature is computed over. */
  body: string;
  json: unknown;
  receivedAt: number;
}

export interface ReceiverReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many ms (a slow endpoint). */
  delayMs?: number;
}

export interface RecordingReceiver {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Decides each answer; by default 200. */
  respond: (request: RecordedRequest, index: number) => ReceiverReply;
  waitForCount: (count: number, timeoutMs?: number) => Promise<RecordedRequest[]>;
  stop: () => Promise<void>;
}

/** A webhook endpoint on 127.0.0.1 that records every request and answers as the test says. */
export async function startRecordingReceiver(port = 0): Promise<RecordingReceiver> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = body ? JSON.parse(body) : null;
      } catch {
        json = null;
      }
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        json,
        receivedAt: Date.now(),
      };
      const index = receiver.requests.push(recorded) - 1;
      const reply = receiver.respond(recorded, index);
      const send = () => {
        response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        response.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  const receiver: RecordingReceiver = {
    url: '',
    port: 0,
    requests: [],
    respond: () => ({ status: 200, body: '{"ok":true}' }),
    waitForCount: (count, timeoutMs = 15_000) =>
      waitFor(() => (receiver.requests.length >= count ? receiver.requests : undefined), {
        timeoutMs,
        message: `expected ${count} webhook request(s), got ${receiver.requests.length}`,
      }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const address = server.address();
  receiver.port = typeof address === 'object' && address ? address.port : port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}
