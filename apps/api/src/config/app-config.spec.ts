import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config';

function project(langgraph: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'runhook-config-'));
  writeFileSync(join(dir, 'graph.ts'), 'export const graph = {};');
  writeFileSync(join(dir, 'langgraph.json'), JSON.stringify(langgraph));
  return dir;
}

describe('loadAppConfig', () => {
  it('applies the documented defaults', () => {
    const cwd = project({ graphs: { agent: './graph.ts:graph' } });
    const config = loadAppConfig({}, cwd);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 2024, worker: { concurrency: 10 } });
    expect(config.database).toEqual({ kind: 'sqlite', location: join(cwd, '.runhook', 'runhook.sqlite'), sqliteSynchronous: 'full' });
    expect(config.stream).toEqual({ heartbeatMs: 5_000, maxBufferBytes: 4 * 1024 * 1024, stallTimeoutMs: 30_000 });
    expect(config.langgraph.graphs['agent']).toEqual({ modulePath: join(cwd, 'graph.ts'), exportName: 'graph' });
    expect(config.langgraph.webhooks.url).toMatchObject({ disableLoopback: true, disablePrivateIps: true, maxUrlLength: 4096 });
    expect([...config.roles]).toEqual(['api', 'worker', 'scheduler']);
  });

  it('reads database URLs of both kinds', () => {
    const cwd = project({});
    expect(loadAppConfig({ DATABASE_URL: 'sqlite:data/x.db', RUNHOOK_SQLITE_SYNCHRONOUS: 'normal' }, cwd).database).toEqual({
      kind: 'sqlite',
      location: join(cwd, 'data/x.db'),
      sqliteSynchronous: 'normal',
    });
    expect(loadAppConfig({ DATABASE_URL: 'postgres://u:p@h/db' }, cwd).database).toMatchObject({ kind: 'postgres', location: 'postgres://u:p@h/db' });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ N_JOBS_PER_WORKER: '0' }, /N_JOBS_PER_WORKER/],
    [{ RUNHOOK_ROLES: 'api,cook' }, /unknown role "cook"/],
    [{ RUNHOOK_SQLITE_SYNCHRONOUS: 'off' }, /RUNHOOK_SQLITE_SYNCHRONOUS must be "full" or "normal"/],
    [{ STREAM_MAX_BUFFER_BYTES: '10' }, /STREAM_MAX_BUFFER_BYTES/],
    [{ LANGGRAPH_CONFIG: 'missing.json' }, /does not exist/],
  ])('refuses %j naming the setting', (env, message) => {
    expect(() => loadAppConfig(env as Record<string, string>, project({}))).toThrow(message);
  });

  it('refuses a graph whose file does not exist, and a bad webhook policy', () => {
    expect(() => loadAppConfig({}, project({ graphs: { g: './nope.ts:graph' } }))).toThrow(/graphs.g: file not found/);
    expect(() => loadAppConfig({}, project({ webhooks: { url: { allowed_ports: [0] } } }))).toThrow(/allowed_ports/);
    expect(() => loadAppConfig({}, project({ http: { disable_webhooks: 'yes' } }))).toThrow(/disable_webhooks/);
  });

  describe('RUNHOOK_SELF_URL (where relative webhook URLs are sent)', () => {
    const loopbackAllowed = { webhooks: { url: { disable_loopback: false } } };

    it('defaults to this process address, a wildcard host becoming loopback', () => {
      expect(loadAppConfig({ PORT: '3000' }, project({})).selfUrl).toBe('http://127.0.0.1:3000');
      expect(loadAppConfig({ HOST: '0.0.0.0', PORT: '3000' }, project({})).selfUrl).toBe('http://127.0.0.1:3000');
      expect(loadAppConfig({ HOST: '::', PORT: '3000' }, project({})).selfUrl).toBe('http://[::1]:3000');
    });

    it('takes an http(s) base URL, without its trailing slash', () => {
      expect(loadAppConfig({ RUNHOOK_SELF_URL: 'https://api.internal:8443/runhook/' }, project({})).selfUrl).toBe('https://api.internal:8443/runhook');
      expect(() => loadAppConfig({ RUNHOOK_SELF_URL: 'api.internal' }, project({}))).toThrow(/RUNHOOK_SELF_URL/);
      expect(() => loadAppConfig({ RUNHOOK_SELF_URL: 'ftp://api.internal' }, project({}))).toThrow(/RUNHOOK_SELF_URL/);
      expect(() => loadAppConfig({ RUNHOOK_SELF_URL: 'http://api.internal/?x=1' }, project({}))).toThrow(/RUNHOOK_SELF_URL/);
    });

    it('is required at start by a worker replica without the api role when relative URLs are allowed', () => {
      const cwd = project(loopbackAllowed);

      expect(() => loadAppConfig({ RUNHOOK_ROLES: 'worker' }, cwd)).toThrow(/RUNHOOK_SELF_URL must be set on a worker replica/);
      expect(loadAppConfig({ RUNHOOK_ROLES: 'worker', RUNHOOK_SELF_URL: 'http://api:2024' }, cwd).selfUrl).toBe('http://api:2024');
      // A worker forked by the api process inherits its HOST and PORT, so its default already points at the api.
      expect(() => loadAppConfig({ RUNHOOK_ROLES: 'worker', RUNHOOK_FORKED_WORKER: '1' }, cwd)).not.toThrow();
      // Relative URLs refused by the policy, or webhooks off: nothing to reach.
      expect(() => loadAppConfig({ RUNHOOK_ROLES: 'worker' }, project({}))).not.toThrow();
      expect(() => loadAppConfig({ RUNHOOK_ROLES: 'worker' }, project({ ...loopbackAllowed, http: { disable_webhooks: true } }))).not.toThrow();
      expect(() => loadAppConfig({ RUNHOOK_ROLES: 'api,worker' }, cwd)).not.toThrow();
    });
  });
});
