import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How the endpoint treats webhooks for now: `pass` forwards to the real receiver, `error` answers 500, `hang`
 * reads the request and never answers (the sender's timeout ends the attempt), `refuse` closes its port so
 * connections are refused.
 */
export type EndpointMode = 'pass' | 'error' | 'hang' | 'refuse';

export interface ArrivedWebhook {
  webhookId: string;
  runId: string;
  mode: EndpointMode;
}

export interface FaultyEndpoint {
  url: string;
  port: number;
  /** Every request that reached the endpoint, whatever it was answered. */
  arrived: ArrivedWebhook[];
  setMode: (mode: EndpointMode) => Promise<void>;
  stop: () => Promise<void>;
}

/** An HTTP endpoint on 127.0.0.1 in front of `target` (the real receiver app) that fails on demand. */
export async function startFaultyEndpoint(target: string): Promise<FaultyEndpoint> {
  const targetUrl = new URL(target);
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let mode: EndpointMode = 'pass';

  const forward = (incoming: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const outgoing = httpRequest(
      { host: targetUrl.hostname, port: targetUrl.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', () => response.writeHead(502).end());
    outgoing.end(body);
  };

  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      let runId = '';
      try {
        runId = (JSON.parse(body.toString('utf8')) as { run_id?: string }).run_id ?? '';
      } catch {
        runId = '';
      }
      endpoint.arrived.push({ webhookId: String(incoming.headers['webhook-id'] ?? ''), runId, mode });
      if (mode === 'error') response.writeHead(500, { 'content-type': 'application/json' }).end('{"detail":"injected failure"}');
      else if (mode === 'hang') hanging.add(response);
      else forward(incoming, body, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const close = () => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });

  await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const endpoint: FaultyEndpoint = {
    url: `http://127.0.0.1:${port}`,
    port,
    arrived: [],
    setMode: async (next) => {
      const previous = mode;
      if (next === previous) return;
      mode = next;
      // Requests held by `hang` are cut when it ends, as a crashed endpoint would cut them.
      for (const response of hanging) response.destroy();
      hanging.clear();
      if (next === 'refuse') await close();
      else if (previous === 'refuse') await listen(port);
    },
    stop: async () => {
      for (const response of hanging) response.destroy();
      if (mode !== 'refuse') await close();
    },
  };
  return endpoint;
}
