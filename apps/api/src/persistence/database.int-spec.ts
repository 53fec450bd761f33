import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { loadAppConfig } from '../config/app-config';
import { writeSleepingProject } from '../runs/testing/sleeping-project';
import { createTestSchema } from './testing/store-fixture';
import { closeDatabase, openDatabase } from './database';

const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];
const REPO = resolve(__dirname, '../../../..');
jest.setTimeout(30_000);

/** A free port on 127.0.0.1, closed again, so nothing listens there until the test says. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** A TCP relay from `port` to the test database: the database "comes up" when it starts listening. */
function relayTo(target: URL, port: number): Promise<Server & { sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    sockets.push(client, upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((done) => server.listen(port, '127.0.0.1', () => done(Object.assign(server, { sockets }))));
}

if (TEST_DATABASE_URL) {
  describe('opening PostgreSQL at start', () => {
    it('waits for a database that refuses connections at first, instead of failing the start', async () => {
      const { schema, drop } = await createTestSchema(TEST_DATABASE_URL);
      const target = new URL(TEST_DATABASE_URL);
      const port = await freePort();
      const viaRelay = new URL(TEST_DATABASE_URL);
      viaRelay.hostname = '127.0.0.1';
      viaRelay.port = String(port);
      viaRelay.searchParams.set('options', `-c search_path=${schema}`);
      const config = loadAppConfig({ DATABASE_URL: viaRelay.toString(), RUNHOOK_CONFIG: writeSleepingProject() }, REPO);
      let relay: (Server & { sockets: Socket[] }) | null = null;
      try {
        // Nothing listens yet: the first tries are refused (ECONNREFUSED), as while PostgreSQL restarts.
        const opening = openDatabase(config);
        let opened = false;
        void opening.then(() => (opened = true), () => undefined);
        await new Promise((done) => setTimeout(done, 600));
        expect(opened).toBe(false);
        relay = await relayTo(target, port);
        const database = await opening;
        expect(database.kind).toBe('postgres');
        await closeDatabase(database);
      } finally {
        for (const socket of relay?.sockets ?? []) socket.destroy();
        await new Promise((done) => (relay ? relay.close(done) : done(undefined)));
        await drop();
      }
    });
  });
} else {
  describe('opening PostgreSQL at start', () => {
    it('has a database to test against (TEST_DATABASE_URL)', () => {
      if (process.env['CI']) throw new Error('TEST_DATABASE_URL is not set in CI');
    });
  });
}
