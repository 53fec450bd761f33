import { Inject } from '@nestjs/common';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error';
import { type CronSettings, loadCronSettings } from './cron-config';
import { LanggraphConfig, loadLanggraphConfig } from './langgraph-config';
import { loadWebhookSettings, type WebhookSettings } from './webhook-config';

export const RUNHOOK_VERSION = '0.1.0';

export type Role = 'api' | 'worker' | 'scheduler';

export interface DatabaseConfig {
  kind: 'sqlite' | 'postgres';
  /** File path for SQLite, connection string for PostgreSQL. */
  location: string;
}

export interface AppConfig {
  host: string;
  port: number;
  database: DatabaseConfig;
  langgraph: LanggraphConfig;
  roles: ReadonlySet<Role>;
  worker: {
    concurrency: number;
    leaseMs: number;
    maxAttempts: number;
    pollMs: number;
    /** Extra worker processes forked by the api process, to use more cores. */
    processes: number;
    /** This process was forked as a worker: it reports run events over IPC. */
    isForkedWorker: boolean;
  };
  stream: { heartbeatMs: number };
  /** Largest request body accepted (RUNHOOK_MAX_BODY_BYTES); larger ones are answered 413. */
  requestBody: { maxBytes: number };
  crons: CronSettings;
  webhooks: WebhookSettings;
  version: string;
}

/** DI token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const InjectConfig = (): ParameterDecorator => Inject(APP_CONFIG);

type Env = Record<string, string | undefined>;

function integer(env: Env, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function parseDatabase(url: string | undefined, cwd: string): DatabaseConfig {
  if (!url) return { kind: 'sqlite', location: resolve(cwd, '.runhook', 'runhook.sqlite') };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', location: url };
  const path = url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:/, '');
  if (path === '') throw new ConfigError('DATABASE_URL names no file');
  return { kind: 'sqlite', location: isAbsolute(path) ? path : resolve(cwd, path) };
}

function parseRoles(raw: string | undefined): ReadonlySet<Role> {
  if (!raw) return new Set<Role>(['api', 'worker', 'scheduler']);
  const roles = raw.split(',').map((role) => role.trim()).filter(Boolean);
  for (const role of roles) {
    if (!['api', 'worker', 'scheduler'].includes(role)) throw new ConfigError(`RUNHOOK_ROLES has an unknown role "${role}"`);
  }
  return new Set(roles as Role[]);
}

/** Reads and validates every setting once, at start; nothing else reads process.env. */
export function loadAppConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const port = integer(env, 'PORT', 2024, 0, 65535);
  const langgraphPath = resolve(cwd, env['LANGGRAPH_CONFIG'] || 'langgraph.json');
  const langgraph = loadLanggraphConfig(langgraphPath);
  return {
    host: env['HOST'] || '127.0.0.1',
    port,
    database: parseDatabase(env['DATABASE_URL'], cwd),
    langgraph,
    roles: parseRoles(env['RUNHOOK_ROLES']),
    worker: {
      concurrency: integer(env, 'N_JOBS_PER_WORKER', 10, 1, 1000),
      leaseMs: integer(env, 'RUN_LEASE_MS', 15_000, 500),
      maxAttempts: integer(env, 'RUN_MAX_ATTEMPTS', 3, 1, 100),
      pollMs: integer(env, 'RUN_POLL_MS', 1_000, 10),
      processes: integer(env, 'RUNHOOK_WORKER_PROCESSES', 0, 0, 64),
      isForkedWorker: env['RUNHOOK_FORKED_WORKER'] === '1',
    },
    stream: { heartbeatMs: integer(env, 'STREAM_HEARTBEAT_MS', 5_000, 100) },
    requestBody: { maxBytes: integer(env, 'RUNHOOK_MAX_BODY_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024) },
    crons: loadCronSettings((key, fallback, min, max) => integer(env, key, fallback, min, max)),
    webhooks: loadWebhookSettings(env, langgraph),
    version: RUNHOOK_VERSION,
  };
}
