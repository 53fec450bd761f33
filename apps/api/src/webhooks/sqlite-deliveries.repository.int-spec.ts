import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../persistence/sqlite-database';
import { WalSync } from '../persistence/wal-sync';
import { describeDeliveriesRepository } from './deliveries.repository.behaviour';
import { newDelivery } from './testing/delivery-fixtures';
import { SqliteDeliveriesRepository } from './sqlite-deliveries.repository';
import { openTemporarySqlite } from './testing/temporary-sqlite';

describeDeliveriesRepository('sqlite', async () => {
  const store = openTemporarySqlite();
  return { repository: new SqliteDeliveriesRepository(store.db), close: store.close };
});

describe('SqliteDeliveriesRepository with RUNHOOK_SQLITE_SYNCHRONOUS=full', () => {
  afterEach(() => jest.restoreAllMocks());

  it('claims and records without waiting for the disk; untilDurable waits for the WAL sync', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'runhook-deliveries-full-'));
    const db = openSqlite(join(folder, 'store.sqlite'), { synchronous: 'full' });
    try {
      const sut = new SqliteDeliveriesRepository(db);
      const delivery = newDelivery();
      await sut.insert(delivery);
      const sync = jest.spyOn(WalSync.prototype, 'sync');
      const [claimed] = await sut.claim({ owner: 'w', nowMs: delivery.created_at, leaseUntilMs: delivery.created_at + 1_000, limit: 1, perEndpoint: 1 });
      expect(claimed?.delivery_id).toBe(delivery.delivery_id);
      expect(sync).not.toHaveBeenCalled();
      await sut.untilDurable();
      expect(sync).toHaveBeenCalledTimes(1);
    } finally {
      db.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
