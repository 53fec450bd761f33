import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type AuthConfig, parseAuthConfig } from './auth-config';
import { ConfigError } from './config-error';
import { type HttpConfig, parseHttpConfig } from './http-config';
import { parseStoreConfig, type StoreSettings } from './store-config';
import { parseUiConfig, type UiConfig } from './ui-config';
import { readProjectEnv } from './project-env';

export interface GraphSpec {
  /** Absolute path of the module that exports the graph. */
  modulePath: string;
  /** Export name; `default` when the spec names none. */
  exportName: string;
}

export interface WebhookUrlPolicy {
  requireHttps: boolean;
  allowedDomains: string[] | null;
  allowedPorts: number[] | null;
  maxUrlLength: number;
  disableLoopback: boolean;
  disablePrivateIps: boolean;
}

export interface LanggraphConfig {
  path: string;
  graphs: Record<string, GraphSpec>;
  webhooks: {
    envPrefix: string;
    headers: Record<string, string>;
    url: WebhookUrlPolicy;
    allowedFields: string[] | null;
  };
  http: HttpConfig;
  auth: AuthConfig;
  /** Absent only in hand-made test configs; read it through storeSettingsOf. */
  store?: StoreSettings;
  ui?: UiConfig;
  /** Variables from the `env` section, applied to the environment where it leaves gaps. */
  env: Record<string, string>;
  /** Said once at start: keys Runhook accepts but does not use, a missing .env file. */
  warnings: string[];
}

/** Sections Runhook reads. Other keys the LangGraph CLI knows (dependencies, node_version, ...) are accepted. */
const USED_KEYS = new Set(['graphs', 'env', 'http', 'store', 'auth', 'webhooks', 'ui', 'ui_config']);

type Raw = Record<string, unknown>;

function asRecord(value: unknown, where: string): Raw {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where} must be an object`);
  return value as Raw;
}

function optionalBoolean(raw: Raw, key: string, where: string, fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`${where}.${key} must be true or false`);
  return value;
}

function optionalList<T>(raw: Raw, key: string, where: string, check: (item: unknown) => item is T): T[] | null {
  const value = raw[key];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every(check)) throw new ConfigError(`${where}.${key} has an invalid value`);
  return value;
}

const isString = (item: unknown): item is string => typeof item === 'string';
const isPort = (item: unknown): item is number => Number.isInteger(item) && (item as number) > 0 && (item as number) < 65536;

function parseGraphs(raw: Raw, baseDir: string): Record<string, GraphSpec> {
  const graphs: Record<string, GraphSpec> = {};
  for (const [graphId, spec] of Object.entries(asRecord(raw['graphs'], 'graphs'))) {
    const text = typeof spec === 'string' ? spec : (spec as Raw | null)?.['path'];
    if (typeof text !== 'string' || text.length === 0) throw new ConfigError(`graphs.${graphId} must be "path:export"`);
    const separator = text.lastIndexOf(':');
    const file = separator > 1 ? text.slice(0, separator) : text;
    const exportName = separator > 1 ? text.slice(separator + 1) : 'default';
    const modulePath = resolve(baseDir, file);
    if (!existsSync(modulePath)) throw new ConfigError(`graphs.${graphId}: file not found: ${modulePath}`);
    graphs[graphId] = { modulePath, exportName };
  }
  return graphs;
}

function parseUrlPolicy(raw: Raw): WebhookUrlPolicy {
  const where = 'webhooks.url';
  const maxUrlLength = raw['max_url_length'] ?? 4096;
  if (!Number.isInteger(maxUrlLength) || (maxUrlLength as number) < 1) throw new ConfigError(`${where}.max_url_length must be a positive integer`);
  return {
    requireHttps: optionalBoolean(raw, 'require_https', where, false),
    allowedDomains: optionalList(raw, 'allowed_domains', where, isString),
    allowedPorts: optionalList(raw, 'allowed_ports', where, isPort),
    maxUrlLength: maxUrlLength as number,
    disableLoopback: optionalBoolean(raw, 'disable_loopback', where, true),
    disablePrivateIps: optionalBoolean(raw, 'disable_private_ips', where, true),
  };
}

/** Reads `langgraph.json` in the shape the LangGraph CLI uses. */
export function loadLanggraphConfig(path: string): LanggraphConfig {
  let raw: Raw = {};
  if (existsSync(path)) {
    try {
      raw = asRecord(JSON.parse(readFileSync(path, 'utf8')), 'langgraph.json');
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`RUNHOOK_CONFIG ${path} is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    throw new ConfigError(`RUNHOOK_CONFIG ${path} does not exist`);
  }
  const projectEnv = readProjectEnv(raw['env'], dirname(path));
  const unused = Object.keys(raw).filter((key) => !USED_KEYS.has(key));
  const webhooks = asRecord(raw['webhooks'], 'webhooks');
  const headers = asRecord(webhooks['headers'], 'webhooks.headers');
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new ConfigError(`webhooks.headers.${name} must be a string`);
  }
  const envPrefix = webhooks['env_prefix'] ?? 'LG_WEBHOOK_';
  if (typeof envPrefix !== 'string') throw new ConfigError('webhooks.env_prefix must be a string');
  return {
    path,
    graphs: parseGraphs(raw, dirname(path)),
    webhooks: {
      envPrefix,
      headers: headers as Record<string, string>,
      url: parseUrlPolicy(asRecord(webhooks['url'], 'webhooks.url')),
      allowedFields: optionalList(webhooks, 'allowed_fields', 'webhooks', isString),
    },
    http: parseHttpConfig(raw['http'], dirname(path)),
    auth: parseAuthConfig(raw['auth'], dirname(path)),
    store: parseStoreConfig(raw['store'], dirname(path)),
    ui: parseUiConfig(raw, dirname(path)),
    env: projectEnv.values,
    warnings: [...unused.map((key) => `langgraph.json: "${key}" is not used by Runhook and is ignored`), ...projectEnv.warnings],
  };
}
