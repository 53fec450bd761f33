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
    expect(config.database).toEqual({ kind: 'sqlite', location: join(cwd, '.runhook', 'runhook.sqlite') });
    expect(config.langgraph.graphs['agent']).toEqual({ modulePath: join(cwd, 'graph.ts'), exportName: 'graph' });
    expect(config.langgraph.webhooks.url).toMatchObject({ disableLoopback: true, disablePrivateIps: true, maxUrlLength: 4096 });
    expect([...config.roles]).toEqual(['api', 'worker', 'scheduler']);
    expect(config.requestBody.maxBytes).toBe(25 * 1024 * 1024);
    expect(loadAppConfig({ RUNHOOK_MAX_BODY_BYTES: '65536' }, cwd).requestBody.maxBytes).toBe(65536);
  });

  it('reads database URLs of both kinds', () => {
    const cwd = project({});
    expect(loadAppConfig({ DATABASE_URL: 'sqlite:data/x.db' }, cwd).database).toEqual({ kind: 'sqlite', location: join(cwd, 'data/x.db') });
    expect(loadAppConfig({ DATABASE_URL: 'postgres://u:p@h/db' }, cwd).database).toEqual({ kind: 'postgres', location: 'postgres://u:p@h/db' });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ N_JOBS_PER_WORKER: '0' }, /N_JOBS_PER_WORKER/],
    [{ RUNHOOK_ROLES: 'api,cook' }, /unknown role "cook"/],
    [{ RUNHOOK_MAX_BODY_BYTES: '1mb' }, /RUNHOOK_MAX_BODY_BYTES/],
    [{ LANGGRAPH_CONFIG: 'missing.json' }, /does not exist/],
  ])('refuses %j naming the setting', (env, message) => {
    expect(() => loadAppConfig(env as Record<string, string>, project({}))).toThrow(message);
  });

  it('refuses a graph whose file does not exist, and a bad webhook policy', () => {
    expect(() => loadAppConfig({}, project({ graphs: { g: './nope.ts:graph' } }))).toThrow(/graphs.g: file not found/);
    expect(() => loadAppConfig({}, project({ webhooks: { url: { allowed_ports: [0] } } }))).toThrow(/allowed_ports/);
    expect(() => loadAppConfig({}, project({ http: { disable_webhooks: 'yes' } }))).toThrow(/disable_webhooks/);
  });
});
