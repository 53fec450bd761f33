import { Auth, HTTPException } from '@langchain/langgraph-sdk/auth';
import { type AuthHandler, isAuthDefinition, normalizeUser, resolveHandler, toAuthFailure } from './auth-handlers';

function callbacksOf(auth: Auth): Record<string, AuthHandler> {
  return (auth as unknown as { '~handlerCache': { callbacks: Record<string, AuthHandler> } })['~handlerCache'].callbacks;
}

describe('resolveHandler', () => {
  const named = (name: string) => Object.assign((): boolean => true, { label: name });
  const everything = new Auth()
    .on('*', named('*'))
    .on('*:read', named('*:read'))
    .on('threads', named('threads'))
    .on('threads:create', named('threads:create'))
    .on(['assistants', 'crons'], named('assistants+crons'));
  const callbacks = callbacksOf(everything);
  const pick = (resource: string, action: string) => (resolveHandler(callbacks, resource, action) as unknown as { label: string } | null)?.label;

  it('prefers resource:action, then resource, then *:action, then *', () => {
    expect(pick('threads', 'create')).toBe('threads:create');
    expect(pick('threads', 'read')).toBe('threads');
    expect(pick('store', 'get')).toBe('*');
    expect(pick('store', 'read')).toBe('*:read');
  });

  it('registers one handler for each event of a list', () => {
    expect(pick('assistants', 'delete')).toBe('assistants+crons');
    expect(pick('crons', 'create')).toBe('assistants+crons');
  });

  it('finds nothing without handlers, and never an inherited property', () => {
    expect(resolveHandler(undefined, 'threads', 'read')).toBeNull();
    expect(resolveHandler(callbacksOf(new Auth().on('threads:read', () => undefined)), 'constructor', 'x')).toBeNull();
  });

  it('recognizes an Auth by its handler cache', () => {
    expect(isAuthDefinition(everything)).toBe(true);
    expect(isAuthDefinition({})).toBe(false);
    expect(isAuthDefinition(null)).toBe(false);
  });
});

describe('normalizeUser', () => {
  it('turns a string into an authenticated user without permissions', () => {
    expect(normalizeUser('alice')).toEqual({
      scopes: [],
      user: { identity: 'alice', display_name: 'alice', permissions: [], is_authenticated: true },
    });
  });

  it('keeps extra fields and the permissions as scopes', () => {
    const { user, scopes } = normalizeUser({ identity: 'bob', permissions: ['read'], email: 'b@example.com' });
    expect(scopes).toEqual(['read']);
    expect(user).toEqual({ identity: 'bob', permissions: ['read'], email: 'b@example.com', display_name: 'bob', is_authenticated: true });
  });

  it('refuses anything else with a 401', () => {
    for (const returned of [undefined, null, 42, {}, { identity: 7 }, '']) {
      expect(() => normalizeUser(returned)).toThrow(expect.objectContaining({ status: 401 }));
    }
  });
});

describe('toAuthFailure', () => {
  it("keeps an HTTPException's status, message and headers", () => {
    const failure = toAuthFailure(new HTTPException(418, { message: 'short and stout', headers: { 'WWW-Authenticate': 'Bearer' } }), 401, 'Unauthorized');
    expect(failure.getStatus()).toBe(418);
    expect(failure.getResponse()).toEqual({ detail: 'short and stout' });
    expect(failure.headers).toEqual({ 'www-authenticate': 'Bearer' });
  });

  it('gives a message-less HTTPException its status text', () => {
    const failure = toAuthFailure(new HTTPException(403), 401, 'Unauthorized');
    expect(failure.getStatus()).toBe(403);
    expect(failure.detail).toBe('Forbidden');
  });

  it('turns any other error, or an impossible status, into the fallback', () => {
    expect(toAuthFailure(new Error('jwt malformed'), 401, 'Unauthorized').getStatus()).toBe(401);
    expect(toAuthFailure(new Error('jwt malformed'), 401, 'Unauthorized').detail).toBe('Unauthorized');
    expect(toAuthFailure({ status: 200, headers: {} }, 401, 'Unauthorized').getStatus()).toBe(401);
    expect(toAuthFailure('nope', 401, 'Unauthorized').getStatus()).toBe(401);
  });
});
