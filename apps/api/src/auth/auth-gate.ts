import { tokensMatch } from '@runhook/webhooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { AuthContext } from './auth-context';
import { AuthFailure, type RequestAuth } from './auth-handlers';
import type { AuthService } from './auth.service';

type Next = (error?: unknown) => void;
type Middleware = (request: IncomingMessage, response: ServerResponse, next: Next) => void;

const REQUEST_AUTH = Symbol('runhook.requestAuth');
type AuthenticatedRequest = IncomingMessage & { [REQUEST_AUTH]?: RequestAuth | null };

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0] ?? '/';
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** Load balancers probe `/ok` without credentials, whatever else is configured. */
const isHealthProbe = (path: string): boolean => path === '/ok';

/**
 * The delivery console's page holds no data (its script reads the guarded JSON routes) and a browser cannot send
 * `x-api-key` when it loads a page, so the page skips the key check; it asks for the key and sends it itself.
 * Custom auth, which may use cookies, still applies to it.
 */
const isConsolePage = (path: string, method: string): boolean => method === 'GET' && path === '/webhooks';

/**
 * Routes custom auth leaves open: `/info` and the generative-UI assets (as the reference does), and the API docs
 * unless `auth.openapi` documents how to authenticate.
 */
function isPublicUnderCustomAuth(path: string, method: string, config: AppConfig): boolean {
  if (path === '/info') return true;
  if (method === 'GET' && (path === '/ui' || path.startsWith('/ui/'))) return true;
  const isDocs = path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-') || path === '/openapi.json';
  return isDocs && config.langgraph.auth.openapi === null;
}

/** Every configured key is compared, each in constant time, so timing tells nothing about which one is close. */
export function apiKeyAccepted(keys: readonly string[], presented: string | string[] | undefined): boolean {
  const given = Array.isArray(presented) ? presented[0] : presented;
  let accepted = false;
  for (const key of keys) accepted = tokensMatch(key, given) || accepted;
  return accepted;
}

/** The Fetch `Request` an `authenticate` callback receives: method, absolute URL and headers (no body). */
export function toFetchRequest(request: IncomingMessage): Request {
  const host = typeof request.headers.host === 'string' && /^[A-Za-z0-9.\-[\]:]+$/.test(request.headers.host) ? request.headers.host : 'localhost';
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return new Request(`http://${host}${request.url ?? '/'}`, { method: request.method ?? 'GET', headers });
}

function refuse(response: ServerResponse, failure: AuthFailure): void {
  if (response.headersSent) return void response.end();
  response.statusCode = failure.getStatus();
  for (const [name, value] of Object.entries(failure.headers)) {
    if (name.toLowerCase() !== 'content-length' && name.toLowerCase() !== 'content-type') response.setHeader(name, value);
  }
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify({ detail: failure.detail }));
}

/**
 * Checks every request before it reaches a route: the built-in API key first (RUNHOOK_API_KEYS), then the project's
 * `authenticate`. The caller it finds is kept on the request for `bindRequestAuth`. Returns null when neither is
 * configured, so an open server pays nothing.
 */
export function createAuthGate(config: AppConfig, auth: AuthService): Middleware | null {
  const keys = config.apiKeys;
  if (keys.length === 0 && !auth.authenticates) return null;
  return (request, response, next) => {
    const path = pathOf(request.url);
    const method = request.method ?? 'GET';
    if (isHealthProbe(path) || method === 'OPTIONS') return next();
    if (keys.length > 0 && !isConsolePage(path, method) && !apiKeyAccepted(keys, request.headers['x-api-key'])) {
      return refuse(response, new AuthFailure(401, 'Missing or invalid API key: send it in the x-api-key header'));
    }
    if (!auth.authenticates || isPublicUnderCustomAuth(path, method, config)) return next();
    let fetchRequest: Request;
    try {
      fetchRequest = toFetchRequest(request);
    } catch {
      return refuse(response, new AuthFailure(401, 'Unauthorized'));
    }
    auth.authenticate(fetchRequest).then(
      (caller) => {
        (request as AuthenticatedRequest)[REQUEST_AUTH] = caller;
        next();
      },
      (error: unknown) => refuse(response, error instanceof AuthFailure ? error : new AuthFailure(401, 'Unauthorized')),
    );
  };
}

/**
 * Serves the rest of the request as the caller the gate found, so services read it with `AuthContext.current()`.
 * Installed after the body parsers: their stream callbacks would otherwise run outside the caller's context.
 */
export const bindRequestAuth: Middleware = (request, _response, next) => {
  AuthContext.run((request as AuthenticatedRequest)[REQUEST_AUTH] ?? null, next);
};
