import { mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitDurably, openSqlite, type SqliteSynchronous } from './sqlite-database';
import { WalSync } from './wal-sync';

function open(synchronous: SqliteSynchronous) {
  const db = openSqlite(join(mkdtempSync(join(tmpdir(), 'runhook-sync-')), 'store.sqlite'), { synchronous });
  db.exec('CREATE TABLE t (x INTEGER)');
  return db;
}

describe('commitDurably', () => {
  afterEach(() => jest.restoreAllMocks());

  it('on a full connection, resolves only after the WAL holding the commit is synced', async () => {
    const db = open('full');
    const sync = jest.spyOn(WalSync.prototype, 'sync');
    const insert = db.transaction(() => db.prepare('INSERT INTO t VALUES (1)').run().changes);
    await expect(commitDurably(db, () => insert.immediate())).resolves.toBe(1);
    expect(sync).toHaveBeenCalledTimes(1);
    expect(await sync.mock.results[0]?.value).toBeUndefined();
    db.close();
  });

  it('on a normal connection, commits without waiting for the disk', async () => {
    const db = open('normal');
    const sync = jest.spyOn(WalSync.prototype, 'sync');
    await commitDurably(db, () => db.prepare('INSERT INTO t VALUES (1)').run());
    expect(sync).not.toHaveBeenCalled();
    db.close();
  });
});

describe('WalSync', () => {
  it('shares one fdatasync among the commits that wait together, and never misses a later one', async () => {
    const db = open('full');
    const sut = new WalSync(`${db.name}-wal`);
    db.prepare('INSERT INTO t VALUES (1)').run();
    await Promise.all(Array.from({ length: 50 }, () => sut.sync()));
    // The sync begins a loop turn after the first call: all 50 of that turn share it.
    expect(sut.syncs).toBe(1);
    db.prepare('INSERT INTO t VALUES (2)').run();
    await sut.sync();
    expect(sut.syncs).toBe(2);
    db.close();
  });

  it('covers a commit made in the turn after the sync was asked for, and gives later commits a sync of their own', async () => {
    const db = open('full');
    const sut = new WalSync(`${db.name}-wal`);
    db.prepare('INSERT INTO t VALUES (1)').run();
    const first = sut.sync();
    // A run end's commit wakes the dispatcher, whose claim commits before the run end's sync has begun.
    await Promise.resolve();
    db.prepare('INSERT INTO t VALUES (2)').run();
    expect(sut.sync()).toBe(first);
    await first;
    expect(sut.syncs).toBe(1);
    const started = sut.sync();
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    // Now under way: a commit made meanwhile may be past what it flushes, so it waits for one more.
    db.prepare('INSERT INTO t VALUES (3)').run();
    const after = sut.sync();
    expect(after).not.toBe(started);
    await after;
    expect(sut.syncs).toBe(3);
    db.close();
  });

  it('opens the WAL once and keeps it for later syncs', async () => {
    const db = open('full');
    const sut = new WalSync(`${db.name}-wal`);
    // Descriptors of this process open on the WAL (Linux), other than SQLite's own.
    const walDescriptors = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === `${db.name}-wal`;
        } catch {
          return false;
        }
      });
    const sqliteOwn = walDescriptors();
    const seen = new Set<string>();
    for (let i = 0; i < 3; i += 1) {
      db.prepare('INSERT INTO t VALUES (?)').run(i);
      await sut.sync();
      for (const fd of walDescriptors()) if (!sqliteOwn.includes(fd)) seen.add(fd);
    }
    expect(sut.syncs).toBe(3);
    // One descriptor, the same after every sync: not opened and closed each time.
    expect(seen.size).toBe(1);
    db.close();
  });

  it('fails the commits waiting on it when the WAL cannot be synced', async () => {
    await expect(new WalSync(join(tmpdir(), 'no-such-dir', 'x.sqlite-wal')).sync()).rejects.toThrow(/ENOENT/);
  });
});
