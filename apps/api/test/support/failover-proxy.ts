import { type Server, type Socket, connect, createServer } from 'node:net';

export interface FailoverProxy {
  url: string;
  /** How many connections each backend took, by port. */
  connections: Map<number, number>;
  stop(): Promise<void>;
}

/**
 * A TCP load balancer on 127.0.0.1 in front of several servers: each connection goes to the first backend that accepts
 * it, in the order given. Clients that reconnect after a server stopped listening land on the next one, as behind a
 * real balancer whose health check dropped the server.
 */
export async function startFailoverProxy(backendPorts: number[]): Promise<FailoverProxy> {
  const sockets = new Set<Socket>();
  const connections = new Map<number, number>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const forward = (client: Socket, index: number): void => {
    if (index >= backendPorts.length) {
      client.destroy();
      return;
    }
    const port = backendPorts[index];
    const upstream = connect(port, '127.0.0.1');
    let connected = false;
    upstream.on('error', () => {
      if (!connected) forward(client, index + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      connections.set(port, (connections.get(port) ?? 0) + 1);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.once('error', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
      client.resume();
    });
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    forward(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
