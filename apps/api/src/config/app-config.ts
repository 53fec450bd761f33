import { Inject } from '@nestjs/common';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error';
import { type CronSettings, loadCronSettings } from './cron-config';
import { assertNotOldStylePath, type GraphDefaults, parseGraphDefaults } from './graph-defaults';
import { LanggraphConfig, loadLanggraphConfig } from './langgraph-config';
import { type LogSettings, parseLogSettings } from './log-config';
import { withProjectEnv } from './project-env';
import { loadWebhookSettings, type WebhookSettings } from './webhook-config';

export const RUNHOOK_VERSION = '0.1.0';

export type Role = 'api' | 'worker' | 'scheduler';

export interface DatabaseConfig {
  kind: 'sqlite' | 'postgres';
  /** File path for SQLite, connection string for PostgreSQL. */
  location: string;
  /** SQLite only: `full` fsyncs the commits that end runs or write the outbox, `normal` none. */
  sqliteSynchronous: 'normal' | 'full';
}

export interface AppConfig {
  host: string;
  port: number;
  /**
   * Where this server's own routes are reached (RUNHOOK_SELF_URL, default http://HOST:PORT): relative webhook URLs
   * are delivered there, and an SDK Client built without a URL inside a graph or custom route talks to it.
   */
  selfUrl: string;
  database: DatabaseConfig;
  langgraph: LanggraphConfig;
  /** LANGGRAPH_CONFIG: the config and context each graph's system assistant starts with. */
  graphDefaults: Record<string, GraphDefaults>;
  /**
   * RUNHOOK_LEAN_RUNNABLE_CONTEXT (default true): the graphs' copies of @langchain/core store a copy of one disabled
   * LangSmith run tree for each node instead of constructing one, when no tracer takes part (`installLeanRunnableContext`).
   */
  leanRunnableContext: boolean;
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
  stream: {
    heartbeatMs: number;
    /** Unsent SSE bytes held for one slow client before it is dropped. */
    maxBufferBytes: number;
    /** How long an SSE client may stop reading before it is dropped. */
    stallTimeoutMs: number;
  };
  /** How often expired threads (`ttl`) are swept. */
  threads: { ttlSweepMs: number };
  /** Largest request body accepted (RUNHOOK_MAX_BODY_BYTES); larger ones are answered 413. */
  requestBody: { maxBytes: number };
  crons: CronSettings;
  webhooks: WebhookSettings;
  /**
   * RUNHOOK_SHUTDOWN_GRACE_MS: on SIGTERM/SIGINT, how long runs and deliveries in flight may go on before they are
   * handed back to the queue (and the HTTP requests still open are cut).
   */
  shutdown: { graceMs: number };
  /** RUNHOOK_API_KEYS: when any is set, every route but /ok needs one of them in `x-api-key`. */
  apiKeys: readonly string[];
  /** RUNHOOK_READINESS_TIMEOUT_MS: how long `/ok?check_db=1` waits for the database before answering 503. */
  readinessTimeoutMs: number;
  /** LOG_LEVEL and LOG_FORMAT. */
  log: LogSettings;
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

function flag(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${key} must be true or false, got "${env[key]}"`);
}

function parseDatabase(env: Env, cwd: string): DatabaseConfig {
  const url = env['DATABASE_URL'];
  const synchronous = (env['RUNHOOK_SQLITE_SYNCHRONOUS'] || 'full').toLowerCase();
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new ConfigError(`RUNHOOK_SQLITE_SYNCHRONOUS must be "full" or "normal", got "${env['RUNHOOK_SQLITE_SYNCHRONOUS']}"`);
  }
  const sqlite = (location: string): DatabaseConfig => ({ kind: 'sqlite', location, sqliteSynchronous: synchronous });
  if (!url) return sqlite(resolve(cwd, '.runhook', 'runhook.sqlite'));
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', location: url, sqliteSynchronous: synchronous };
  const path = url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:/, '');
  if (path === '') throw new ConfigError('DATABASE_URL names no file');
  return sqlite(isAbsolute(path) ? path : resolve(cwd, path));
}

function parseRoles(raw: string | undefined): ReadonlySet<Role> {
  if (!raw) return new Set<Role>(['api', 'worker', 'scheduler']);
  const roles = raw.split(',').map((role) => role.trim()).filter(Boolean);
  for (const role of roles) {
    if (!['api', 'worker', 'scheduler'].includes(role)) throw new ConfigError(`RUNHOOK_ROLES has an unknown role "${role}"`);
  }
  return new Set(roles as Role[]);
}

function ownOrigin(host: string, port: number): string {
  // A wildcard listen address is reached on the loopback of the same family.
  const target = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${target.includes(':') ? `[${target}]` : target}:${port}`;
}

function parseSelfUrl(raw: string | undefined, host: string, port: number): string {
  if (!raw) return ownOrigin(host, port);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`RUNHOOK_SELF_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`RUNHOOK_SELF_URL must be an http(s) URL without query, fragment or credentials, got "${raw}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * A worker replica ends runs, so it writes the deliveries of relative webhooks; without the api role it has no
 * routes of its own and must be told which server serves them.
 */
function assertRelativeWebhooksReachable(env: Env, roles: ReadonlySet<Role>, langgraph: LanggraphConfig): void {
  const relativeAllowed = !langgraph.webhooks.url.disableLoopback && !langgraph.http.disableWebhooks;
  if (!relativeAllowed || roles.has('api') || !roles.has('worker') || env['RUNHOOK_FORKED_WORKER'] === '1' || env['RUNHOOK_SELF_URL']) return;
  throw new ConfigError(
    'RUNHOOK_SELF_URL must be set on a worker replica without the api role: webhooks.url.disable_loopback is false, ' +
      'so relative webhook URLs ("/path?token=...") are accepted and this replica delivers them to the server that serves them ' +
      '(or set webhooks.url.disable_loopback to true to refuse relative URLs)',
  );
}

function parseApiKeys(raw: string | undefined): string[] {
  const keys = (raw ?? '').split(/\s+/).filter(Boolean);
  // Said without the key itself: configuration errors end up in logs.
  keys.forEach((key, index) => {
    if (key.length < 16) throw new ConfigError(`RUNHOOK_API_KEYS: key #${index + 1} is shorter than 16 characters`);
  });
  return keys;
}

/** Reads and validates every setting once, at start; nothing else reads process.env. */
export function loadAppConfig(realEnv: Env = process.env, cwd = process.cwd()): AppConfig {
  // Checked first: with an old-style path here, the missing ./langgraph.json would hide the real cause.
  assertNotOldStylePath(realEnv['LANGGRAPH_CONFIG']);
  const langgraph = loadLanggraphConfig(resolve(cwd, realEnv['RUNHOOK_CONFIG'] || 'langgraph.json'));
  // As under the LangGraph CLI, the project's `env` is part of the server's environment (LANGGRAPH_CONFIG included).
  const env = withProjectEnv(realEnv, langgraph.env);
  const port = integer(env, 'PORT', 2024, 0, 65535);
  const host = env['HOST'] || '127.0.0.1';
  const roles = parseRoles(env['RUNHOOK_ROLES']);
  assertRelativeWebhooksReachable(env, roles, langgraph);
  return {
    host,
    port,
    selfUrl: parseSelfUrl(env['RUNHOOK_SELF_URL'], host, port),
    database: parseDatabase(env, cwd),
    langgraph,
    graphDefaults: parseGraphDefaults(env['LANGGRAPH_CONFIG']),
    leanRunnableContext: flag(env, 'RUNHOOK_LEAN_RUNNABLE_CONTEXT', true),
    roles,
    worker: {
      concurrency: integer(env, 'N_JOBS_PER_WORKER', 10, 1, 1000),
      leaseMs: integer(env, 'RUN_LEASE_MS', 15_000, 500),
      maxAttempts: integer(env, 'RUN_MAX_ATTEMPTS', 3, 1, 100),
      pollMs: integer(env, 'RUN_POLL_MS', 1_000, 10),
      processes: integer(env, 'RUNHOOK_WORKER_PROCESSES', 0, 0, 64),
      isForkedWorker: env['RUNHOOK_FORKED_WORKER'] === '1',
    },
    stream: {
      heartbeatMs: integer(env, 'STREAM_HEARTBEAT_MS', 5_000, 100),
      maxBufferBytes: integer(env, 'STREAM_MAX_BUFFER_BYTES', 4 * 1024 * 1024, 64 * 1024),
      stallTimeoutMs: integer(env, 'STREAM_STALL_TIMEOUT_MS', 30_000, 100),
    },
    threads: { ttlSweepMs: integer(env, 'THREAD_TTL_SWEEP_MS', 60_000, 100) },
    requestBody: { maxBytes: integer(env, 'RUNHOOK_MAX_BODY_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024) },
    crons: loadCronSettings((key, fallback, min, max) => integer(env, key, fallback, min, max)),
    webhooks: loadWebhookSettings(env, langgraph),
    apiKeys: parseApiKeys(env['RUNHOOK_API_KEYS']),
    // LangGraph Platform gives runs 180 s (BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS), more than an orchestrator's usual kill
    // delay (30 s on Kubernetes); 10 s ends within it, and what does not finish resumes elsewhere from its checkpoint.
    shutdown: { graceMs: integer(env, 'RUNHOOK_SHUTDOWN_GRACE_MS', 10_000, 0, 3_600_000) },
    readinessTimeoutMs: integer(env, 'RUNHOOK_READINESS_TIMEOUT_MS', 2_000, 10, 60_000),
    log: parseLogSettings(env, process.stdout.isTTY === true),
    version: RUNHOOK_VERSION,
  };
}
