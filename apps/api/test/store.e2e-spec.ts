import { Client } from '@langchain/langgraph-sdk';
import { inCi, type RunningServer, REPO_ROOT, startApiServer } from '@runhook/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';

/**
 * The Store over HTTP with the official SDK's `client.store`, and from inside a graph (`getStore()`), on the built
 * server with the fixture project under fixtures/store (a local embed function, 4 dims). Runs on a SQLite file and,
 * with TEST_DATABASE_URL, on PostgreSQL (a schema of its own).
 */
const LANGGRAPH_CONFIG = join(REPO_ROOT, 'apps/api/test/fixtures/store/langgraph.json');
const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];

interface Database {
  url: string;
  drop: () => Promise<void>;
}

async function sqliteDatabase(): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'runhook-store-e2e-'));
  return { url: join(dir, 'runhook.sqlite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function postgresDatabase(url: string): Promise<Database> {
  const schema = `e2e_store_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const separator = url.includes('?') ? '&' : '?';
  return {
    url: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

async function send(server: RunningServer, method: string, path: string, body: unknown): Promise<{ status: number; body: { detail?: string } }> {
  const response = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

function describeStore(name: string, open: () => Promise<Database>): void {
  describe(`the Store on ${name}`, () => {
    let database: Database;
    let server: RunningServer;
    let client: Client;
    const start = async () => {
      server = await startApiServer({ databaseUrl: database.url, langgraphConfig: LANGGRAPH_CONFIG });
      client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
    };

    beforeAll(async () => {
      database = await open();
      await start();
    }, 90_000);

    afterAll(async () => {
      await server?.stop();
      await database?.drop();
    });

    it('puts, gets, searches, lists and deletes items with client.store', async () => {
      await client.store.putItem(['users', 'u1'], 'pet', { text: 'a cat called Tom', kind: 'pet', age: 3 });
      await client.store.putItem(['users', 'u1'], 'lunch', { text: 'fish and chips', kind: 'food', age: 1 });
      await client.store.putItem(['users', 'u2'], 'pet', { text: 'two dogs', kind: 'pet', age: 7 }, { index: false });

      const item = await client.store.getItem(['users', 'u1'], 'pet');
      expect(item).toMatchObject({ namespace: ['users', 'u1'], key: 'pet', value: { text: 'a cat called Tom', kind: 'pet', age: 3 } });
      expect(Date.parse(String(item?.createdAt))).toBeGreaterThan(0);
      expect((await client.store.getItem(['users', 'u1'], 'pet', { refreshTtl: false }))?.key).toBe('pet');

      const pets = await client.store.searchItems(['users'], { filter: { kind: 'pet' } });
      expect(pets.items.map((hit) => hit.namespace.join('/')).sort()).toEqual(['users/u1', 'users/u2']);
      const older = await client.store.searchItems(['users'], { filter: { age: { $gte: 3 }, kind: { $ne: 'food' } } });
      expect(older.items.map((hit) => hit.value['age']).sort()).toEqual([3, 7]);
      const page = await client.store.searchItems(['users'], { limit: 1, offset: 1 });
      expect(page.items).toHaveLength(1);

      // Semantic search: best first with a cosine score; the item put with index false is not embedded.
      const semantic = await client.store.searchItems(['users'], { query: 'my cats' });
      expect(semantic.items.map((hit) => hit.key)).toEqual(['pet', 'lunch']);
      expect(semantic.items[0]?.score).toBeGreaterThan(0.99);
      expect(semantic.items[1]?.score).toBeLessThan(0.1);
      const semanticFiltered = await client.store.searchItems(['users', 'u1'], { query: 'fish', filter: { kind: 'food' } });
      expect(semanticFiltered.items.map((hit) => hit.key)).toEqual(['lunch']);

      expect((await client.store.listNamespaces({ prefix: ['users'] })).namespaces).toEqual([['users', 'u1'], ['users', 'u2']]);
      expect((await client.store.listNamespaces({ suffix: ['u2'] })).namespaces).toEqual([['users', 'u2']]);
      expect((await client.store.listNamespaces({ maxDepth: 1 })).namespaces).toEqual([['users']]);

      await client.store.deleteItem(['users', 'u1'], 'lunch');
      await expect(client.store.getItem(['users', 'u1'], 'lunch')).resolves.toBeNull();
    });

    it('answers 422 naming the field for bad store requests, never 500', async () => {
      const cases: [string, string, unknown, RegExp][] = [
        ['PUT', '/store/items', { namespace: ['a.b'], key: 'k', value: {} }, /^namespace labels cannot be empty or contain periods/],
        ['PUT', '/store/items', { namespace: [], key: 'k', value: {} }, /^namespace/],
        ['PUT', '/store/items', { namespace: ['a'], key: 'k', value: 'text' }, /^value must be an object/],
        ['PUT', '/store/items', { namespace: ['a'], key: 'k', value: {}, ttl: 'soon' }, /^ttl/],
        ['PUT', '/store/items', { namespace: ['a'], key: 'k', value: {}, index: 'yes' }, /^index/],
        ['POST', '/store/items/search', { namespace_prefix: ['a', ''] }, /^namespace_prefix labels/],
        ['POST', '/store/items/search', { filter: { age: { $near: 1 } } }, /^filter\.age: unknown operator \$near/],
        ['POST', '/store/items/search', { filter: { age: { $gt: { x: 1 } } } }, /^filter\.age\.\$gt must be a number or a string/],
        ['POST', '/store/items/search', { limit: 0 }, /^limit/],
        ['POST', '/store/namespaces', { max_depth: 0 }, /^max_depth/],
        ['DELETE', '/store/items', { namespace: ['a'] }, /^key/],
      ];
      for (const [method, path, body, detail] of cases) {
        const answer = await send(server, method, path, body);
        expect({ path, body, status: answer.status }).toEqual({ path, body, status: 422 });
        expect(answer.body.detail).toMatch(detail);
      }
      const get = await fetch(`${server.url}/store/items?namespace=a..b&key=k`);
      expect(get.status).toBe(422);
    });

    it('gives graphs the same store: getStore() in a node writes what client.store reads', async () => {
      const result = (await client.runs.wait(null, 'memory', {
        input: { note: 'the bird sings' },
        config: { configurable: { user_id: 'g1' } },
      })) as { recalled: string[]; stored: unknown; sameStoreInConfig: boolean };
      expect(result).toEqual({ note: 'the bird sings', recalled: ['the bird sings'], stored: { text: 'the bird sings' }, sameStoreInConfig: true });
      const written = await client.store.getItem(['memories', 'g1'], 'the bird sings');
      expect(written?.value).toEqual({ text: 'the bird sings' });
      const found = await client.store.searchItems(['memories'], { query: 'birds' });
      expect(found.items[0]?.key).toBe('the bird sings');
    });

    it('keeps items across a restart, in the same database as runs', async () => {
      await client.store.putItem(['restart'], 'kept', { text: 'a dog and a cat' });
      await server.stop();
      await start();
      expect((await client.store.getItem(['restart'], 'kept'))?.value).toEqual({ text: 'a dog and a cat' });
      expect((await client.store.searchItems(['restart'], { query: 'dog' })).items[0]?.score).toBeGreaterThan(0.5);
    }, 90_000);
  });
}

describeStore('SQLite', sqliteDatabase);

if (TEST_DATABASE_URL) {
  describeStore('PostgreSQL', () => postgresDatabase(TEST_DATABASE_URL));
} else if (inCi()) {
  it('has a PostgreSQL database to test the Store against', () => {
    throw new Error('TEST_DATABASE_URL is not set in CI: start PostgreSQL with tools/scripts/ci-postgres.sh and export its URL');
  });
} else {
  describe('the Store on PostgreSQL (skipped: set TEST_DATABASE_URL, e.g. from tools/scripts/ci-postgres.sh)', () => {
    it.skip('runs the same suite on PostgreSQL', () => undefined);
  });
}
