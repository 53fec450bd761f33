import { Injectable, Logger } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { importGraphExport } from '../graphs/graph-loader';
import { AuthContext } from './auth-context';
import { type AuthFilters, matchesFilters } from './auth-filters';
import { type AuthDefinition, AuthFailure, AuthHidden, isAuthDefinition, normalizeUser, type RequestAuth, resolveHandler, toAuthFailure } from './auth-handlers';

export type AuthResource = 'threads' | 'assistants' | 'crons' | 'store';

export interface Authorization<T> {
  /** The value as the handler left it (it may stamp metadata or rewrite a namespace). */
  value: T;
  /** Conditions on the resource's metadata; null when the caller may see every resource. */
  filters: AuthFilters | null;
  /** Whether a handler decided (there was a caller and a handler for the event). */
  handled: boolean;
}

/** The project's custom auth (`auth.path` in langgraph.json): who the caller is, and what each handler allows. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');
  private definition: AuthDefinition | null = null;
  private loading: Promise<void> | null = null;

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /** Imports the project's `Auth` once; the export may be a Promise of it. */
  load(): Promise<void> {
    this.loading ??= this.importDefinition();
    return this.loading;
  }

  /** Whether the project defines an `authenticate` callback, so every protected request must pass it. */
  get authenticates(): boolean {
    return typeof this.definition?.['~handlerCache'].authenticate === 'function';
  }

  /** Runs the project's `authenticate`; throws an `AuthFailure` (401 unless the callback chose a status). */
  async authenticate(request: Request): Promise<RequestAuth | null> {
    const authenticate = this.definition?.['~handlerCache'].authenticate;
    if (!authenticate) return null;
    try {
      return normalizeUser(await authenticate(request));
    } catch (error) {
      throw toAuthFailure(error, 401, 'Unauthorized');
    }
  }

  /**
   * Asks the most specific handler about `resource:action` on `value` for the current caller. No handler, or no
   * caller (work outside a request), allows everything unchanged. `false` is a 403.
   */
  async authorize<T>(resource: AuthResource, action: string, value: T): Promise<Authorization<T>> {
    const caller = AuthContext.current();
    const handler = resolveHandler(this.definition?.['~handlerCache'].callbacks, resource, action);
    if (!handler || !caller) return { value, filters: null, handled: false };
    let result: unknown;
    try {
      result = await handler({ event: `${resource}:${action}`, resource, action, value, permissions: caller.scopes, user: caller.user });
    } catch (error) {
      if (!(typeof error === 'object' && error !== null && 'status' in error)) {
        this.logger.error(`auth handler for ${resource}:${action} threw: ${(error as Error)?.message ?? String(error)}`);
      }
      throw toAuthFailure(error, 500, `Auth handler for ${resource}:${action} failed`);
    }
    if (result === undefined || result === null || result === true) return { value, filters: null, handled: true };
    if (result === false) throw new AuthFailure(403, 'Forbidden');
    if (typeof result !== 'object' || Array.isArray(result)) {
      throw new AuthFailure(500, `Auth handler for ${resource}:${action} returned ${typeof result}; expected a filter object, a boolean or nothing`);
    }
    return { value, filters: result as AuthFilters, handled: true };
  }

  /**
   * `authorize` for one existing resource: a resource the filters exclude is answered as missing (404), so callers
   * cannot tell another user's resource from one that does not exist.
   */
  async authorizeOne<T>(resource: AuthResource, action: string, value: T, metadata: () => Promise<Record<string, unknown> | null | undefined>, missing: string): Promise<T> {
    const { value: allowed, filters } = await this.authorize(resource, action, value);
    if (filters && !matchesFilters(await metadata(), filters)) throw new AuthHidden(missing);
    return allowed;
  }

  private async importDefinition(): Promise<void> {
    const spec = this.config.langgraph.auth.handler;
    if (!spec) return;
    this.install(await importGraphExport('auth', spec), `${spec.modulePath} export "${spec.exportName}"`);
  }

  /** Uses an `Auth` already imported (the one `auth.path` names; tests that cannot run tsx import it themselves). */
  install(definition: unknown, source = 'auth.path'): void {
    if (!isAuthDefinition(definition)) throw new Error(`auth.path: ${source} is not an Auth from @langchain/langgraph-sdk/auth`);
    this.definition = definition;
  }
}
