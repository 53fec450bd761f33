import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { immediateTransaction, prepared } from './prepared';
import type { SqliteConnection } from './sqlite-database';

describe('immediateTransaction', () => {
  let folder: string;
  let db: SqliteConnection;
  let other: SqliteConnection;
  const count = () => (prepared(db, 'SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'runhook-tx-'));
    db = new Database(join(folder, 'db.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x INTEGER)');
    other = new Database(join(folder, 'db.sqlite'), { timeout: 0 });
  });
  afterEach(() => {
    other.close();
    db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('commits what the work wrote and answers its result', () => {
    expect(immediateTransaction(db, () => prepared(db, 'INSERT INTO t VALUES (1)').run().changes)).toBe(1);
    expect(count()).toBe(1);
    expect(db.inTransaction).toBe(false);
  });

  it('takes the write lock at its start, so another connection cannot write in between (IMMEDIATE)', () => {
    immediateTransaction(db, () => {
      expect(() => other.prepare('INSERT INTO t VALUES (2)').run()).toThrow(/database is locked/);
    });
    expect(() => other.prepare('INSERT INTO t VALUES (2)').run()).not.toThrow();
  });

  it('rolls back and rethrows when the work throws', () => {
    expect(() =>
      immediateTransaction(db, () => {
        prepared(db, 'INSERT INTO t VALUES (1)').run();
        throw new Error('stale');
      }),
    ).toThrow('stale');
    expect(count()).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('nests as a savepoint: an inner failure undoes only the inner writes', () => {
    immediateTransaction(db, () => {
      prepared(db, 'INSERT INTO t VALUES (1)').run();
      expect(() =>
        immediateTransaction(db, () => {
          prepared(db, 'INSERT INTO t VALUES (2)').run();
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(db.inTransaction).toBe(true);
    });
    expect(prepared(db, 'SELECT x FROM t').all()).toEqual([{ x: 1 }]);
  });

  it('serves several connections, each in its own transaction', () => {
    other.exec('PRAGMA busy_timeout = 1000');
    immediateTransaction(db, () => prepared(db, 'INSERT INTO t VALUES (1)').run());
    immediateTransaction(other, () => other.prepare('INSERT INTO t VALUES (2)').run());
    expect(count()).toBe(2);
  });
});
