import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestAuth } from './auth-handlers';

const storage = new AsyncLocalStorage<RequestAuth | null>();

/**
 * The caller of the request being served, reachable from any service without passing it through every signature.
 * Work started outside a request (workers, cron firings, deliveries) has no caller, so no auth handler runs for it.
 */
export const AuthContext = {
  /** The authenticated caller, or null outside a request or without custom auth. */
  current(): RequestAuth | null {
    return storage.getStore() ?? null;
  },
  /** Runs `work` (and everything it schedules) as `auth`. */
  run<T>(auth: RequestAuth | null, work: () => T): T {
    return storage.run(auth, work);
  },
};
