/** SQLite errors carry a `SQLITE_*` code; PostgreSQL's a five-character SQLSTATE, or a socket error code. */
const PG_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * Whether an error came from the database (a restart, a read-only or full disk, a lost connection) rather than
 * from the request: the client then gets a 503 naming it, and may try again.
 */
export function isDatabaseError(error: unknown): error is Error & { code: string } {
  // Shape, not `instanceof`: a driver's error class may come from another realm or another copy of the driver.
  if (typeof error !== 'object' || error === null) return false;
  const { message, code } = error as { message?: unknown; code?: unknown };
  if (typeof message !== 'string') return false;
  // pg's own errors for a connection that broke under a query, or a client used after it broke, carry no code.
  if (typeof code !== 'string') return /Connection terminated|connection is not open|is not queryable|timeout exceeded when trying to connect/i.test(message);
  if (code.startsWith('SQLITE_')) return true;
  if (PG_CONNECTION_CODES.has(code)) return true;
  return /^[0-9A-Z]{5}$/.test(code) && 'severity' in error;
}

/** SQLite result codes of a database that cannot take a write now (locked past the busy timeout, full, failing I/O). */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|NOMEM|PROTOCOL)/;
/** SQLSTATE classes of a server that is going away or out of resources: 08 connection, 53 resources, 57P operator, 58 system. */
const PG_UNAVAILABLE = /^(08|53|57P|58)/;

/**
 * Whether a database error says the database is unavailable for now (a restart, a lost connection, a full or
 * read-only disk), as opposed to refusing this statement (a constraint, a syntax error): work that hit it may be
 * tried again later as it was.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!isDatabaseError(error)) return false;
  const { code } = error as { code?: unknown };
  if (typeof code !== 'string') return true;
  if (code.startsWith('SQLITE_')) return SQLITE_UNAVAILABLE.test(code);
  return PG_CONNECTION_CODES.has(code) || PG_UNAVAILABLE.test(code);
}

/** How long a starting replica waits out its database's outage before it gives up and exits. */
export const START_RETRY_BUDGET_MS = 60_000;

/**
 * Runs `work` until it gets past database outages, waiting longer between tries, for at most `budgetMs`. For the
 * start of a replica: one that starts while its database restarts waits for it, instead of exiting.
 */
export async function retryWhileDatabaseDown<T>(
  work: () => Promise<T>,
  options: { budgetMs: number; onRetry: (error: Error, delayMs: number) => void; wait?: (ms: number) => Promise<void>; now?: () => number },
): Promise<T> {
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.budgetMs;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      return await work();
    } catch (error) {
      // Only an outage is worth waiting out: a refused statement (a constraint, a missing table) fails the same later.
      if (!isDatabaseUnavailable(error) || now() + delayMs > deadline) throw error;
      options.onRetry(error as Error, delayMs);
      await wait(delayMs);
    }
  }
}
