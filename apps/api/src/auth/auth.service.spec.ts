import { join } from 'node:path';
import { loadAppConfig } from '../config/app-config';
import { AuthContext } from './auth-context';
import { auth } from '../../test/fixtures/auth/auth';
import { AuthService } from './auth.service';

const FIXTURE = join(__dirname, '../../test/fixtures/auth');

// The server imports the fixture through tsx; jest compiles it itself, so the test hands the same export over.
async function loadedService(): Promise<AuthService> {
  const service = new AuthService(loadAppConfig({ RUNHOOK_CONFIG: join(FIXTURE, 'langgraph.json'), DATABASE_URL: ':memory:' }, FIXTURE));
  service.install(auth);
  return service;
}

function request(authorization?: string): Request {
  return new Request('http://localhost/threads', { headers: authorization ? { authorization } : {} });
}

describe('AuthService with the fixture project auth', () => {
  let sut: AuthService;

  beforeAll(async () => {
    sut = await loadedService();
  });

  it('authenticates a known bearer token into its user', async () => {
    const caller = await sut.authenticate(request('Bearer token-alice'));
    expect(caller).toEqual({
      scopes: ['read', 'write'],
      user: { identity: 'alice', permissions: ['read', 'write'], display_name: 'Alice', is_authenticated: true },
    });
  });

  it("answers with the handler's own status, message and headers", async () => {
    await expect(sut.authenticate(request())).rejects.toMatchObject({ detail: 'Missing bearer token', headers: { 'www-authenticate': 'Bearer' } });
    await expect(sut.authenticate(request('Bearer token-teapot'))).rejects.toMatchObject({ status: 418, detail: 'I am a teapot' });
  });

  it('turns an error that is not an HTTPException into a 401', async () => {
    const failure = await sut.authenticate(request('Bearer token-crash')).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 401, detail: 'Unauthorized' });
  });

  it('lets the most specific handler stamp the value and return its filter', async () => {
    const alice = await sut.authenticate(request('Bearer token-alice'));
    const { value, filters } = await AuthContext.run(alice, () => sut.authorize('threads', 'create', { metadata: { topic: 'x' } }));
    expect(value.metadata).toEqual({ topic: 'x', owner: 'alice' });
    expect(filters).toEqual({ owner: 'alice' });
  });

  it('answers 403 when a handler returns false', async () => {
    const reader = await sut.authenticate(request('Bearer token-reader'));
    await expect(AuthContext.run(reader, () => sut.authorize('threads', 'delete', { thread_id: 't' }))).rejects.toMatchObject({ status: 403 });
  });

  it('keeps the status of an HTTPException a handler throws', async () => {
    const bob = await sut.authenticate(request('Bearer token-bob'));
    const refused = AuthContext.run(bob, () => sut.authorize('store', 'put', { namespace: ['alice'], key: 'k', value: {} }));
    await expect(refused).rejects.toMatchObject({ status: 403, detail: 'Not your namespace' });
  });

  it('refuses an export that is not an Auth', () => {
    expect(() => new AuthService(loadAppConfig({ RUNHOOK_CONFIG: join(FIXTURE, 'langgraph.json'), DATABASE_URL: ':memory:' }, FIXTURE)).install({ authenticate: () => 'x' })).toThrow(
      /is not an Auth/,
    );
  });

  it('runs no handler outside a request (workers, cron firings)', async () => {
    expect(await sut.authorize('threads', 'read', { thread_id: 't' })).toEqual({ value: { thread_id: 't' }, filters: null, handled: false });
  });
});
