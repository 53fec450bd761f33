import { describePostgresStore } from '../persistence/testing/store-fixture';
import { PostgresStoreRepository } from './postgres-store.repository';
import { describeStoreRepository } from './store.repository.behaviour';

// The SQLite run of the suite is sqlite-store.repository.int-spec.ts. Vector maths is whatever the database has:
// pgvector where CREATE EXTENSION works, else cosine in SQL over real[] (this machine's and CI's PostgreSQL).
describePostgresStore((factory) => {
  describeStoreRepository('PostgreSQL', async () => {
    const fixture = await factory();
    const pool = fixture.postgres?.pool;
    if (!pool) throw new Error('the PostgreSQL fixture has no pool');
    const store = new PostgresStoreRepository(pool);
    await store.prepareVectors();
    return { store, close: fixture.close };
  });
});
