import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error';

/** The route groups `http.disable_<group>` can switch off. */
export type RouteGroup = 'assistants' | 'threads' | 'runs' | 'store' | 'meta' | 'ui';
export const ROUTE_GROUPS: readonly RouteGroup[] = ['assistants', 'threads', 'runs', 'store', 'meta', 'ui'];

export interface CorsPolicy {
  /** `'*'` for any origin, else the exact origins (plus `allowOriginRegex`). */
  allowOrigins: '*' | string[];
  allowOriginRegex: string | null;
  allowMethods: string[] | null;
  allowHeaders: string[] | null;
  allowCredentials: boolean;
  exposeHeaders: string[];
  maxAgeSeconds: number | null;
}

export interface HttpConfig {
  /** The Hono app of `http.app` ("./file.ts:export"), mounted before Runhook's routes. */
  app: { modulePath: string; exportName: string } | null;
  /** `/api`-style prefix every route is served under, or '' for none. */
  mountPrefix: string;
  disabled: ReadonlySet<RouteGroup>;
  disableWebhooks: boolean;
  cors: CorsPolicy;
  /** `enable_custom_route_auth`: the project's Hono routes are authenticated too (by default they are not). */
  enableCustomRouteAuth: boolean;
}

/** Headers a browser client of the LangGraph API must be able to read; always exposed. */
export const RUNHOOK_EXPOSED_HEADERS = ['Content-Location', 'Location', 'X-Pagination-Total', 'X-Pagination-Next'];

// Keys of the reference's `http` section that Runhook accepts and checks but does not act on.
const ACCEPTED_BOOLEANS = ['disable_mcp', 'disable_a2a', 'disable_studio_auth'];
const ACCEPTED_OBJECTS = ['configurable_headers', 'logging_headers'];

type Raw = Record<string, unknown>;

/** Reads one object of langgraph.json; every problem names its full key. */
class Fields {
  constructor(
    private readonly raw: Raw,
    private readonly where: string,
  ) {}

  static of(value: unknown, where: string): Fields {
    if (value === undefined || value === null) return new Fields({}, where);
    if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where} must be an object`);
    return new Fields(value as Raw, where);
  }

  key(name: string): string {
    return `${this.where}.${name}`;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  get(name: string): unknown {
    return this.raw[name];
  }

  flag(name: string): boolean {
    if (!this.has(name)) return false;
    if (typeof this.raw[name] !== 'boolean') throw new ConfigError(`${this.key(name)} must be true or false`);
    return this.raw[name] as boolean;
  }

  text(name: string): string | null {
    if (!this.has(name)) return null;
    if (typeof this.raw[name] !== 'string') throw new ConfigError(`${this.key(name)} must be a string`);
    return this.raw[name] as string;
  }

  texts(name: string): string[] | null {
    if (!this.has(name)) return null;
    const value = this.raw[name];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw new ConfigError(`${this.key(name)} must be a list of strings`);
    }
    return value as string[];
  }

  nonNegativeInteger(name: string): number | null {
    if (!this.has(name)) return null;
    const value = this.raw[name];
    if (!Number.isInteger(value) || (value as number) < 0) throw new ConfigError(`${this.key(name)} must be a whole number of seconds`);
    return value as number;
  }
}

function parseApp(fields: Fields, baseDir: string): HttpConfig['app'] {
  const spec = fields.text('app');
  if (spec === null) return null;
  const separator = spec.lastIndexOf(':');
  // A colon at index 1 is a Windows drive letter, not the export separator.
  const file = separator > 1 ? spec.slice(0, separator) : spec;
  const exportName = separator > 1 ? spec.slice(separator + 1) : 'default';
  if (file === '' || exportName === '') throw new ConfigError(`${fields.key('app')} must be "./path/to/file.ts:exportName"`);
  const modulePath = resolve(baseDir, file);
  if (!existsSync(modulePath)) throw new ConfigError(`${fields.key('app')}: file not found: ${modulePath}`);
  return { modulePath, exportName };
}

function parseMountPrefix(fields: Fields): string {
  const prefix = fields.text('mount_prefix');
  if (prefix === null || prefix === '' || prefix === '/') return '';
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(prefix) || prefix.includes('//')) {
    throw new ConfigError(`${fields.key('mount_prefix')} must be a path such as "/api"`);
  }
  return prefix.replace(/\/+$/, '');
}

function parseCors(fields: Fields): CorsPolicy {
  const origins = fields.texts('allow_origins');
  const regex = fields.text('allow_origin_regex');
  if (regex !== null) {
    try {
      new RegExp(regex);
    } catch (error) {
      throw new ConfigError(`${fields.key('allow_origin_regex')} is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  const exposed = fields.texts('expose_headers') ?? [];
  const missing = RUNHOOK_EXPOSED_HEADERS.filter((name) => !exposed.some((header) => header.toLowerCase() === name.toLowerCase()));
  return {
    allowOrigins: origins === null ? (regex === null ? '*' : []) : origins.includes('*') ? '*' : origins,
    allowOriginRegex: regex,
    allowMethods: fields.texts('allow_methods'),
    allowHeaders: fields.texts('allow_headers'),
    allowCredentials: fields.flag('allow_credentials'),
    exposeHeaders: [...exposed, ...missing],
    maxAgeSeconds: fields.nonNegativeInteger('max_age'),
  };
}

/** Reads the `http` section of langgraph.json (the LangGraph CLI's shape); relative paths resolve against `baseDir`. */
export function parseHttpConfig(section: unknown, baseDir: string): HttpConfig {
  const fields = Fields.of(section, 'http');
  for (const name of ACCEPTED_BOOLEANS) fields.flag(name);
  for (const name of ACCEPTED_OBJECTS) Fields.of(fields.get(name), fields.key(name));
  fields.text('middleware_order');
  return {
    app: parseApp(fields, baseDir),
    mountPrefix: parseMountPrefix(fields),
    disabled: new Set(ROUTE_GROUPS.filter((group) => fields.flag(`disable_${group}`))),
    disableWebhooks: fields.flag('disable_webhooks'),
    cors: parseCors(Fields.of(fields.get('cors'), fields.key('cors'))),
    enableCustomRouteAuth: fields.flag('enable_custom_route_auth'),
  };
}
