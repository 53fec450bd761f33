import { HttpException, NotFoundException } from '@nestjs/common';

/**
 * The parts of an `Auth` from `@langchain/langgraph-sdk/auth` Runhook relies on, read structurally so a project
 * may bring its own copy of the SDK (its `instanceof` classes would not be ours).
 */
export type AuthHandler = (request: {
  event: string;
  resource: string;
  action: string;
  value: unknown;
  permissions: string[];
  user: AuthUser;
}) => unknown;

export interface AuthDefinition {
  '~handlerCache': {
    authenticate?: (request: Request) => unknown;
    callbacks?: Record<string, AuthHandler>;
  };
}

/** The authenticated caller, in the shape the reference hands to handlers and graphs. */
export interface AuthUser {
  identity: string;
  permissions: string[];
  display_name: string;
  is_authenticated: boolean;
  [key: string]: unknown;
}

export interface RequestAuth {
  user: AuthUser;
  /** The user's permissions, which handlers receive as `permissions`. */
  scopes: string[];
}

/** An answer the client gets instead of the route's: an auth handler's `HTTPException`, or Runhook's own refusal. */
export class AuthFailure extends HttpException {
  constructor(
    status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ detail }, status);
  }
}

/** A 404 because the auth filters exclude the resource (not because it is missing): join streams answer it in-band. */
export class AuthHidden extends NotFoundException {
  constructor(readonly detail: string) {
    super({ detail });
  }
}

/** Whether `error` is custom auth refusing the caller (a handler's `false` or exception, or a filtered-out resource). */
export function isAuthRefusal(error: unknown): error is AuthFailure | AuthHidden {
  return error instanceof AuthFailure || error instanceof AuthHidden;
}

export function isAuthDefinition(value: unknown): value is AuthDefinition {
  if (typeof value !== 'object' || value === null || !('~handlerCache' in value)) return false;
  const cache = (value as AuthDefinition)['~handlerCache'];
  return typeof cache === 'object' && cache !== null;
}

/** The handler an event goes to: the most specific one registered, as the reference resolves them. */
export function resolveHandler(callbacks: Record<string, AuthHandler> | undefined, resource: string, action: string): AuthHandler | null {
  if (!callbacks) return null;
  for (const key of [`${resource}:${action}`, resource, `*:${action}`, '*']) {
    if (Object.hasOwn(callbacks, key) && typeof callbacks[key] === 'function') return callbacks[key];
  }
  return null;
}

/** Turns what `authenticate` returned (a string or `{identity, permissions?, ...}`) into the user handlers see. */
export function normalizeUser(returned: unknown): RequestAuth {
  if (typeof returned === 'string' && returned !== '') {
    return { scopes: [], user: { identity: returned, permissions: [], display_name: returned, is_authenticated: true } };
  }
  if (typeof returned === 'object' && returned !== null && typeof (returned as { identity?: unknown }).identity === 'string') {
    const record = returned as Record<string, unknown> & { identity: string };
    const permissions = Array.isArray(record['permissions']) ? record['permissions'].filter((item): item is string => typeof item === 'string') : [];
    return {
      scopes: permissions,
      user: {
        ...record,
        permissions,
        is_authenticated: typeof record['is_authenticated'] === 'boolean' ? record['is_authenticated'] : true,
        display_name: typeof record['display_name'] === 'string' ? record['display_name'] : record.identity,
      },
    };
  }
  throw new AuthFailure(401, 'Invalid auth response: authenticate must return a string or an object with an "identity"');
}

function headersOf(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  try {
    return Object.fromEntries(new Headers(raw as ConstructorParameters<typeof Headers>[0]).entries());
  } catch {
    return {};
  }
}

/**
 * Maps what an auth callback threw: an `HTTPException` (anything with a status and headers, like the SDK's) keeps
 * its status, message and headers; anything else becomes `fallbackStatus` (401 when authenticating) so a broken
 * token never turns into a 5xx.
 */
export function toAuthFailure(error: unknown, fallbackStatus: number, fallbackMessage: string): AuthFailure {
  if (error instanceof AuthFailure) return error;
  if (typeof error === 'object' && error !== null && 'status' in error && 'headers' in error) {
    const status = Number((error as { status: unknown }).status);
    const message = (error as { message?: unknown }).message;
    if (Number.isInteger(status) && status >= 400 && status <= 599) {
      return new AuthFailure(status, typeof message === 'string' && message !== '' ? message : fallbackMessage, headersOf((error as { headers: unknown }).headers));
    }
  }
  return new AuthFailure(fallbackStatus, fallbackMessage);
}
