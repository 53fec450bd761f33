import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config';

function project(langgraph: object, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'runhook-config-'));
  writeFileSync(join(dir, 'graph.ts'), 'export const graph = {};');
  writeFileSync(join(dir, 'langgraph.json'), JSON.stringify(langgraph));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
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
    expect(config.requestBody.maxBytes).toBe(25 * 1024 * 1024);
    expect(loadAppConfig({ RUNHOOK_MAX_BODY_BYTES: '65536' }, cwd).requestBody.maxBytes).toBe(65536);
  });

  it('reads the shutdown grace once, 10 s unless RUNHOOK_SHUTDOWN_GRACE_MS says otherwise, and refuses a bad one', () => {
    const cwd = project({ graphs: { agent: './graph.ts:graph' } });
    expect(loadAppConfig({}, cwd).shutdown).toEqual({ graceMs: 10_000 });
    expect(loadAppConfig({ RUNHOOK_SHUTDOWN_GRACE_MS: '0' }, cwd).shutdown).toEqual({ graceMs: 0 });
    expect(() => loadAppConfig({ RUNHOOK_SHUTDOWN_GRACE_MS: '-1' }, cwd)).toThrow(/RUNHOOK_SHUTDOWN_GRACE_MS/);
    expect(() => loadAppConfig({ RUNHOOK_SHUTDOWN_GRACE_MS: 'soon' }, cwd)).toThrow(/RUNHOOK_SHUTDOWN_GRACE_MS/);
  });

  it('keeps the lean runnable context on unless RUNHOOK_LEAN_RUNNABLE_CONTEXT turns it off', () => {
    const cwd = project({});
    expect(loadAppConfig({}, cwd).leanRunnableContext).toBe(true);
    expect(loadAppConfig({ RUNHOOK_LEAN_RUNNABLE_CONTEXT: 'false' }, cwd).leanRunnableContext).toBe(false);
    expect(loadAppConfig({ RUNHOOK_LEAN_RUNNABLE_CONTEXT: '0' }, cwd).leanRunnableContext).toBe(false);
    expect(loadAppConfig({ RUNHOOK_LEAN_RUNNABLE_CONTEXT: 'TRUE' }, cwd).leanRunnableContext).toBe(true);
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
    [{ RUNHOOK_CONFIG: 'missing.json' }, /RUNHOOK_CONFIG .*missing.json does not exist/],
    [{ LANGGRAPH_CONFIG: 'langgraph.json' }, /rename the variable to RUNHOOK_CONFIG/],
    [{ LANGGRAPH_CONFIG: './config/langgraph.json' }, /rename the variable to RUNHOOK_CONFIG/],
    [{ LANGGRAPH_CONFIG: '{"agent": ' }, /LANGGRAPH_CONFIG is not valid JSON/],
    [{ LANGGRAPH_CONFIG: '{"agent": []}' }, /LANGGRAPH_CONFIG.agent must be an object/],
    [{ LANGGRAPH_CONFIG: '{"agent": {"context": 1}}' }, /LANGGRAPH_CONFIG.agent.context must be an object/],
    [{ RUNHOOK_MAX_BODY_BYTES: '1mb' }, /RUNHOOK_MAX_BODY_BYTES/],
    [{ RUNHOOK_LEAN_RUNNABLE_CONTEXT: 'maybe' }, /RUNHOOK_LEAN_RUNNABLE_CONTEXT must be true or false/],
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

  it('reads the langgraph.json path from RUNHOOK_CONFIG, relative to the working directory', () => {
    const cwd = project({}, { 'other.json': JSON.stringify({ graphs: { g: './graph.ts:graph' } }) });
    const config = loadAppConfig({ RUNHOOK_CONFIG: 'other.json' }, cwd);
    expect(config.langgraph.path).toBe(join(cwd, 'other.json'));
    expect(Object.keys(config.langgraph.graphs)).toEqual(['g']);
  });

  it('gives LANGGRAPH_CONFIG its LangGraph meaning: per-graph config and context of the system assistant', () => {
    const raw = JSON.stringify({ agent: { configurable: { model_name: 'openai' }, tags: ['t'] }, simple: { context: { model: 'x' } } });
    const config = loadAppConfig({ LANGGRAPH_CONFIG: raw }, project({}));
    expect(config.graphDefaults).toEqual({
      agent: { config: { configurable: { model_name: 'openai' }, tags: ['t'] }, context: {} },
      simple: { config: {}, context: { model: 'x' } },
    });
    expect(loadAppConfig({}, project({})).graphDefaults).toEqual({});
  });

  it('takes env from langgraph.json as an object: it fills gaps, including LANGGRAPH_CONFIG, and real variables win', () => {
    const cwd = project({
      env: { PORT: '3999', HOST: '0.0.0.0', LANGGRAPH_CONFIG: '{"agent": {"configurable": {"a": 1}}}' },
    });
    const config = loadAppConfig({ HOST: '127.0.0.2' }, cwd);
    expect(config.port).toBe(3999);
    expect(config.host).toBe('127.0.0.2');
    expect(config.graphDefaults['agent']).toEqual({ config: { configurable: { a: 1 } }, context: {} });
    expect(config.langgraph.env).toEqual({ PORT: '3999', HOST: '0.0.0.0', LANGGRAPH_CONFIG: '{"agent": {"configurable": {"a": 1}}}' });
  });

  it('takes env as the path of a .env file relative to langgraph.json; a missing file is a warning', () => {
    const cwd = project({ env: './app.env' }, { 'app.env': '# comment\nGREETING="hi there"\nPORT=4001\n' });
    const config = loadAppConfig({}, cwd);
    expect(config.langgraph.env).toEqual({ GREETING: 'hi there', PORT: '4001' });
    expect(config.port).toBe(4001);
    const missing = loadAppConfig({}, project({ env: './none.env' }));
    expect(missing.langgraph.env).toEqual({});
    expect(missing.langgraph.warnings).toEqual([expect.stringMatching(/none\.env not found/)]);
  });

  it('refuses env values that are not strings, and env as a list', () => {
    expect(() => loadAppConfig({}, project({ env: { N: 1 } }))).toThrow(/env.N must be a string/);
    expect(() => loadAppConfig({}, project({ env: ['SECRET'] }))).toThrow(/env as a list/);
  });

  it('accepts the CLI keys it does not use, with one warning per key; the keys it uses give none', () => {
    const cwd = project({
      graphs: {},
      env: {},
      http: { app: './http.mts:app' },
      store: { index: { dims: 8, embed: './embed.mts:embed', fields: ['$'] } },
      auth: { path: './auth.mts:auth' },
      webhooks: {},
      dependencies: ['.'],
      node_version: '20',
      ui: { agent: './ui.tsx' },
      dockerfile_lines: [],
    }, { 'http.mts': '', 'embed.mts': '', 'auth.mts': '', 'ui.tsx': '' });
    const { warnings } = loadAppConfig({}, cwd).langgraph;
    expect(warnings).toEqual([
      'langgraph.json: "dependencies" is not used by Runhook and is ignored',
      'langgraph.json: "node_version" is not used by Runhook and is ignored',
      'langgraph.json: "dockerfile_lines" is not used by Runhook and is ignored',
    ]);
  });
});
