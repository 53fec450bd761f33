import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config';
import { NO_CUSTOM_AUTH, parseAuthConfig } from './auth-config';
import { ConfigError } from './config-error';

const DIR = mkdtempSync(join(tmpdir(), 'runhook-auth-config-'));
writeFileSync(join(DIR, 'auth.ts'), 'export const auth = {};');

describe('parseAuthConfig', () => {
  it('means no custom auth when the section is absent', () => {
    expect(parseAuthConfig(undefined, DIR)).toEqual(NO_CUSTOM_AUTH);
  });

  it('resolves auth.path against the directory of langgraph.json', () => {
    expect(parseAuthConfig({ path: './auth.ts:auth', openapi: { securitySchemes: {} }, disable_studio_auth: true }, DIR)).toEqual({
      handler: { modulePath: join(DIR, 'auth.ts'), exportName: 'auth' },
      openapi: { securitySchemes: {} },
      disableStudioAuth: true,
    });
    expect(parseAuthConfig({ path: './auth.ts' }, DIR).handler).toEqual({ modulePath: join(DIR, 'auth.ts'), exportName: 'default' });
  });

  it.each([
    [[], 'auth must be an object'],
    [{ path: 42 }, 'auth.path must be'],
    [{ path: './missing.ts:auth' }, 'auth.path: file not found'],
    [{ path: './auth.ts:' }, 'auth.path names an empty export'],
    [{ openapi: 'yes' }, 'auth.openapi must be an object'],
    [{ disable_studio_auth: 'no' }, 'auth.disable_studio_auth must be true or false'],
  ])('refuses %j', (section, message) => {
    expect(() => parseAuthConfig(section, DIR)).toThrow(ConfigError);
    expect(() => parseAuthConfig(section, DIR)).toThrow(message);
  });
});

describe('RUNHOOK_API_KEYS', () => {
  const env = { RUNHOOK_CONFIG: join(DIR, 'langgraph.json') };
  writeFileSync(join(DIR, 'langgraph.json'), JSON.stringify({ auth: { path: './auth.ts:auth' } }));

  it('is empty by default and split on whitespace', () => {
    expect(loadAppConfig(env, DIR).apiKeys).toEqual([]);
    expect(loadAppConfig({ ...env, RUNHOOK_API_KEYS: ' key-one-0123456789\n key-two-0123456789 ' }, DIR).apiKeys).toEqual(['key-one-0123456789', 'key-two-0123456789']);
  });

  it('refuses a short key without printing it', () => {
    const attempt = () => loadAppConfig({ ...env, RUNHOOK_API_KEYS: 'key-one-0123456789 short' }, DIR);
    expect(attempt).toThrow('key #2 is shorter than 16 characters');
    expect(attempt).not.toThrow(/short[^e]/);
  });

  it('reads http.enable_custom_route_auth', () => {
    writeFileSync(join(DIR, 'custom.json'), JSON.stringify({ http: { enable_custom_route_auth: true } }));
    expect(loadAppConfig({ RUNHOOK_CONFIG: join(DIR, 'custom.json') }, DIR).langgraph.http.enableCustomRouteAuth).toBe(true);
    expect(loadAppConfig(env, DIR).langgraph.http.enableCustomRouteAuth).toBe(false);
  });
});
