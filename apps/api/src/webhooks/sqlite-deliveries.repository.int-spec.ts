import { describeDeliveriesRepository } from './deliveries.repository.behaviour';
import { SqliteDeliveriesRepository } from './sqlite-deliveries.repository';
import { openTemporarySqlite } from './testing/temporary-sqlite';

describeDeliveriesRepository('sqlite', async () => {
  const store = openTemporarySqlite();
  return { repository: new SqliteDeliveriesRepository(store.db), close: store.close };
});
