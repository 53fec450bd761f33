import { describePostgresStore } from '../persistence/testing/store-fixture';
import { describeDeliveriesRepository } from './deliveries.repository.behaviour';

// The SQLite run of this suite is sqlite-deliveries.repository.int-spec.ts.
describePostgresStore((factory) =>
  describeDeliveriesRepository('postgres', async () => {
    const store = await factory();
    return { repository: store.deliveries, close: store.close };
  }),
);
