import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error';

export interface AuthConfig {
  /** The module and export of the project's `Auth` (`auth.path`, "./src/auth.ts:auth"), or null for no custom auth. */
  handler: { modulePath: string; exportName: string } | null;
  /**
   * `auth.openapi`: the security schemes the project documents. When set, `/docs` and `/openapi.json` are
   * authenticated like every other route; when absent they stay public.
   */
  openapi: Record<string, unknown> | null;
  /**
   * `auth.disable_studio_auth`: accepted for compatibility. Runhook never trusts the Studio's `x-auth-scheme`
   * header as a login (anyone can send it to a self-hosted server), so the flag changes nothing.
   */
  disableStudioAuth: boolean;
}

export const NO_CUSTOM_AUTH: AuthConfig = { handler: null, openapi: null, disableStudioAuth: false };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseHandlerPath(value: unknown, baseDir: string): AuthConfig['handler'] {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError('auth.path must be "./path/to/auth.ts:exportName"');
  const separator = value.lastIndexOf(':');
  // A lone drive letter ("C:\\...") is not an export separator.
  const file = separator > 1 ? value.slice(0, separator) : value;
  const exportName = separator > 1 ? value.slice(separator + 1) : 'default';
  if (exportName === '') throw new ConfigError('auth.path names an empty export');
  const modulePath = resolve(baseDir, file);
  if (!existsSync(modulePath)) throw new ConfigError(`auth.path: file not found: ${modulePath}`);
  return { modulePath, exportName };
}

/** Reads the `auth` section of langgraph.json (the LangGraph CLI's shape); `path` resolves against `baseDir`. */
export function parseAuthConfig(section: unknown, baseDir: string): AuthConfig {
  if (section === undefined || section === null) return NO_CUSTOM_AUTH;
  if (!isRecord(section)) throw new ConfigError('auth must be an object');
  const openapi = section['openapi'];
  if (openapi !== undefined && openapi !== null && !isRecord(openapi)) throw new ConfigError('auth.openapi must be an object');
  const studio = section['disable_studio_auth'];
  if (studio !== undefined && studio !== null && typeof studio !== 'boolean') throw new ConfigError('auth.disable_studio_auth must be true or false');
  return {
    handler: parseHandlerPath(section['path'], baseDir),
    openapi: isRecord(openapi) ? openapi : null,
    disableStudioAuth: studio === true,
  };
}
