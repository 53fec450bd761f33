import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitDurably, openSqlite, type SqliteSynchronous } from './sqlite-database';

const FULL = 2;
const NORMAL = 1;

function open(synchronous: SqliteSynchronous) {
  return openSqlite(join(mkdtempSync(join(tmpdir(), 'runhook-sync-')), 'store.sqlite'), { synchronous });
}

describe('commitDurably', () => {
  it('commits at synchronous=FULL on a full connection, and every other commit at NORMAL', () => {
    const db = open('full');
    db.exec('CREATE TABLE t (x INTEGER)');
    const during = commitDurably(db, () => db.transaction(() => db.pragma('synchronous', { simple: true }))());
    expect(during).toBe(FULL);
    expect(db.pragma('synchronous', { simple: true })).toBe(NORMAL);
    expect(() => commitDurably(db, () => db.transaction(() => { throw new Error('rolled back'); })())).toThrow('rolled back');
    expect(db.pragma('synchronous', { simple: true })).toBe(NORMAL);
    db.close();
  });

  it('leaves a normal connection at NORMAL throughout', () => {
    const db = open('normal');
    expect(commitDurably(db, () => db.pragma('synchronous', { simple: true }))).toBe(NORMAL);
    db.close();
  });
});
