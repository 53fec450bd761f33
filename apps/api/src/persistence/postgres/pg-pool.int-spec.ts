import { describePostgresStore, type StoreFixture } from '../testing/store-fixture';
import { type PgPool, withTransaction } from './pg-pool';

describePostgresStore((factory) => {
  describe('the PostgreSQL pool when the server ends a connection (restart, 57P01)', () => {
    let store: StoreFixture;
    let pool: PgPool;

    beforeAll(async () => {
      store = await factory();
      pool = store.postgres?.pool as PgPool;
    });

    afterAll(async () => {
      await store?.close();
    });

    it('fails the transaction whose connection was terminated between two queries, and the process and pool go on', async () => {
      const uncaught: unknown[] = [];
      const onUncaught = (error: unknown) => uncaught.push(error);
      process.on('uncaughtException', onUncaught);
      try {
        const outcome = withTransaction(pool, async (client) => {
          const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          // As a restart does: the server ends this connection while the transaction holds it between queries.
          await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
          await new Promise((resolve) => setTimeout(resolve, 200));
          return client.query('SELECT 1');
        });
        await expect(outcome).rejects.toThrow(/terminat|not queryable/i);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(uncaught).toEqual([]);
        await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    });
  });
});
