import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { parseHttpConfig, RUNHOOK_EXPOSED_HEADERS } from './http-config';

const DIR = mkdtempSync(join(tmpdir(), 'runhook-http-config-'));
writeFileSync(join(DIR, 'app.ts'), 'export const app = {};');

describe('parseHttpConfig', () => {
  it('defaults to no app, no prefix, nothing disabled and the open CORS policy of today', () => {
    const sut = parseHttpConfig(undefined, DIR);

    expect(sut).toEqual({
      app: null,
      mountPrefix: '',
      disabled: new Set(),
      disableWebhooks: false,
      enableCustomRouteAuth: false,
      cors: {
        allowOrigins: '*',
        allowOriginRegex: null,
        allowMethods: null,
        allowHeaders: null,
        allowCredentials: false,
        exposeHeaders: RUNHOOK_EXPOSED_HEADERS,
        maxAgeSeconds: null,
      },
    });
  });

  it('resolves http.app against the config directory, with default export when none is named', () => {
    expect(parseHttpConfig({ app: './app.ts:app' }, DIR).app).toEqual({ modulePath: join(DIR, 'app.ts'), exportName: 'app' });
    expect(parseHttpConfig({ app: './app.ts' }, DIR).app).toEqual({ modulePath: join(DIR, 'app.ts'), exportName: 'default' });
  });

  it('reads every disable_* flag and the cors section', () => {
    const sut = parseHttpConfig(
      {
        disable_assistants: true,
        disable_threads: false,
        disable_runs: true,
        disable_store: true,
        disable_meta: true,
        disable_webhooks: true,
        cors: {
          allow_origins: ['https://a.example'],
          allow_methods: ['GET'],
          allow_headers: ['x-api-key'],
          allow_credentials: true,
          expose_headers: ['x-mine', 'content-location'],
          max_age: 600,
        },
      },
      DIR,
    );

    expect([...sut.disabled].sort()).toEqual(['assistants', 'meta', 'runs', 'store']);
    expect(sut.disableWebhooks).toBe(true);
    expect(sut.cors).toEqual({
      allowOrigins: ['https://a.example'],
      allowOriginRegex: null,
      allowMethods: ['GET'],
      allowHeaders: ['x-api-key'],
      allowCredentials: true,
      // Runhook's own headers stay exposed; one given in another case is not repeated.
      exposeHeaders: ['x-mine', 'content-location', 'Location', 'X-Pagination-Total', 'X-Pagination-Next'],
      maxAgeSeconds: 600,
    });
  });

  it('treats "*" among the origins as any origin, and an origin regex alone as no fixed origin', () => {
    expect(parseHttpConfig({ cors: { allow_origins: ['https://a.example', '*'] } }, DIR).cors.allowOrigins).toBe('*');
    const regexOnly = parseHttpConfig({ cors: { allow_origin_regex: '^https://.*\\.example$' } }, DIR).cors;
    expect(regexOnly.allowOrigins).toEqual([]);
    expect(regexOnly.allowOriginRegex).toBe('^https://.*\\.example$');
  });

  it('normalizes mount_prefix', () => {
    expect(parseHttpConfig({ mount_prefix: '/api/' }, DIR).mountPrefix).toBe('/api');
    expect(parseHttpConfig({ mount_prefix: '/' }, DIR).mountPrefix).toBe('');
  });

  it('accepts the reference keys it does not act on', () => {
    expect(() =>
      parseHttpConfig(
        {
          enable_custom_route_auth: true,
          configurable_headers: { includes: ['x-*'] },
          logging_headers: { excludes: ['authorization'] },
          middleware_order: 'auth_first',
          disable_ui: true,
          disable_mcp: true,
          disable_a2a: false,
        },
        DIR,
      ),
    ).not.toThrow();
  });

  it.each([
    [{ app: 42 }, 'http.app'],
    [{ app: './missing.ts:app' }, 'http.app'],
    [{ app: './app.ts:' }, 'http.app'],
    [{ disable_runs: 'yes' }, 'http.disable_runs'],
    [{ disable_meta: 1 }, 'http.disable_meta'],
    [{ mount_prefix: 'api' }, 'http.mount_prefix'],
    [{ mount_prefix: '/a b' }, 'http.mount_prefix'],
    [{ cors: [] }, 'http.cors'],
    [{ cors: { allow_origins: 'https://a.example' } }, 'http.cors.allow_origins'],
    [{ cors: { allow_methods: [1] } }, 'http.cors.allow_methods'],
    [{ cors: { allow_credentials: 'true' } }, 'http.cors.allow_credentials'],
    [{ cors: { max_age: -1 } }, 'http.cors.max_age'],
    [{ cors: { allow_origin_regex: '(' } }, 'http.cors.allow_origin_regex'],
    [{ configurable_headers: 'x-*' }, 'http.configurable_headers'],
    [{ enable_custom_route_auth: 'no' }, 'http.enable_custom_route_auth'],
    ['on', 'http'],
  ])('refuses %j naming %s', (section, key) => {
    const attempt = () => parseHttpConfig(section, DIR);

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${key.replace(/\./g, '\\.')}\\b`));
  });
});
