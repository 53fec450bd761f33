import { isDatabaseError, isDatabaseUnavailable, retryWhileDatabaseDown } from './database-errors';

/** A PostgreSQL error as `pg` raises it when the server is restarting. */
function adminShutdown(): Error {
  return Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' });
}

describe('retryWhileDatabaseDown', () => {
  function harness() {
    let nowMs = 0;
    const waits: number[] = [];
    const options = {
      budgetMs: 10_000,
      onRetry: jest.fn(),
      now: () => nowMs,
      wait: async (ms: number) => {
        waits.push(ms);
        nowMs += ms;
      },
    };
    return { options, waits };
  }

  it('tries again, waiting longer each time, until the database answers', async () => {
    const { options, waits } = harness();
    let calls = 0;
    const result = await retryWhileDatabaseDown(async () => {
      calls++;
      if (calls < 4) throw adminShutdown();
      return 'started';
    }, options);
    expect(result).toBe('started');
    expect(waits).toEqual([250, 500, 1_000]);
    expect(options.onRetry).toHaveBeenCalledTimes(3);
  });

  it('gives up with the database error once the budget is spent', async () => {
    const { options, waits } = harness();
    await expect(
      retryWhileDatabaseDown(async () => {
        throw adminShutdown();
      }, options),
    ).rejects.toThrow('administrator command');
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(10_000);
  });

  it('does not retry a statement the database refused: it fails the same later', async () => {
    const { options, waits } = harness();
    const unique = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', severity: 'ERROR' });
    await expect(
      retryWhileDatabaseDown(async () => {
        throw unique;
      }, options),
    ).rejects.toBe(unique);
    expect(waits).toEqual([]);
  });

  it('does not retry an error that is not the database', async () => {
    const { options, waits } = harness();
    await expect(
      retryWhileDatabaseDown(async () => {
        throw new TypeError('a bug');
      }, options),
    ).rejects.toThrow('a bug');
    expect(waits).toEqual([]);
  });
});

describe('isDatabaseError', () => {
  it.each([
    'Connection terminated unexpectedly',
    'Client has encountered a connection error and is not queryable',
    'timeout exceeded when trying to connect',
  ])('knows pg\'s uncoded connection error %p', (message) => {
    expect(isDatabaseError(new Error(message))).toBe(true);
  });

  it('leaves a programming error to be a 500', () => {
    expect(isDatabaseError(new TypeError("Cannot read properties of null (reading 'toString')"))).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  const pg = (code: string, message = 'pg error') => Object.assign(new Error(message), { code, severity: 'ERROR' });
  const sqlite = (code: string) => Object.assign(new Error(code), { code });

  it.each([
    ['a restart (57P01)', adminShutdown()],
    ['a connection failure (08006)', pg('08006')],
    ['a full disk on the server (53100)', pg('53100')],
    ['too many connections (53300)', pg('53300')],
    ['an I/O error on the server (58030)', pg('58030')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a connection cut under a query', new Error('Connection terminated unexpectedly')],
    ['a locked SQLite file', sqlite('SQLITE_BUSY')],
    ['a full SQLite disk', sqlite('SQLITE_FULL')],
    ['a failing SQLite write', sqlite('SQLITE_IOERR_WRITE')],
    ['a read-only SQLite file', sqlite('SQLITE_READONLY_DBMOVED')],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', pg('23505')],
    ['a syntax error (42601)', pg('42601')],
    ['a SQLite constraint', sqlite('SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['a graph’s own refused connection, which is no database error', Object.assign(new Error('fetch failed'), { code: 'UND_ERR_SOCKET' })],
    ['an error that is not the database', new TypeError('a bug')],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
