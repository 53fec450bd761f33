import { DEFAULT_RETRY_SCHEDULE_SECONDS, parseRetrySchedule, parseSigningSecrets } from '@runhook/webhooks';
import { ConfigError } from './config-error';
import type { LanggraphConfig } from './langgraph-config';

/** How run-end webhooks are sent; everything comes from the environment and `langgraph.json`, read once at start. */
export interface WebhookSettings {
  /** Secret: decoded `whsec_` keys; each one signs every attempt. Empty: deliveries go unsigned. Never log. */
  signingSecrets: readonly Buffer[];
  /** Delays in seconds before each retry. */
  retryScheduleSeconds: readonly number[];
  connectTimeoutMs: number;
  /** Total time one attempt may take, connect included. */
  timeoutMs: number;
  maxConcurrency: number;
  maxPerEndpoint: number;
  /** How long a dispatcher owns a claimed delivery; a killed process's claims come back after it. */
  leaseMs: number;
  /** Slow poll for deliveries written by other processes and due retries. */
  pollMs: number;
  retentionDays: number;
  /** `webhooks.headers` with their `${{ env.VAR }}` templates filled in. May hold secrets: never log. */
  headers: Readonly<Record<string, string>>;
  /** RUNHOOK_BENCH=1 opens POST /internal/bench/webhook-deliveries (tools/bench/webhooks.mjs). Never in production. */
  benchEndpoint: boolean;
}

type Env = Record<string, string | undefined>;

const TEMPLATE = /\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

/** Fills `${{ env.VAR }}` in each static header; VAR must carry the configured prefix and be set. */
export function resolveWebhookHeaders(headers: Record<string, string>, envPrefix: string, env: Env): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, template] of Object.entries(headers)) {
    resolved[name] = template.replace(TEMPLATE, (_match, variable: string) => {
      if (!variable.startsWith(envPrefix)) {
        throw new ConfigError(`webhooks.headers.${name}: ${variable} must start with the env prefix "${envPrefix}" (webhooks.env_prefix)`);
      }
      const value = env[variable];
      if (value === undefined) throw new ConfigError(`webhooks.headers.${name}: environment variable ${variable} is not set`);
      return value;
    });
    if (/[\r\n]/.test(resolved[name])) throw new ConfigError(`webhooks.headers.${name} must not contain a line break`);
  }
  return resolved;
}

function signingSecrets(env: Env): Buffer[] {
  try {
    return parseSigningSecrets(env['WEBHOOK_SIGNING_SECRETS'] ?? '');
  } catch (error) {
    // The library's messages never repeat the secret.
    throw new ConfigError(`WEBHOOK_SIGNING_SECRETS: ${(error as Error).message}`);
  }
}

function retrySchedule(env: Env): number[] {
  const raw = env['WEBHOOK_RETRY_SCHEDULE'];
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_RETRY_SCHEDULE_SECONDS];
  try {
    return parseRetrySchedule(raw);
  } catch (error) {
    throw new ConfigError(`WEBHOOK_RETRY_SCHEDULE: ${(error as Error).message}`);
  }
}

export function loadWebhookSettings(env: Env, langgraph: LanggraphConfig): WebhookSettings {
  const connectTimeoutMs = integer(env, 'WEBHOOK_CONNECT_TIMEOUT_MS', 5_000, 1, 600_000);
  const timeoutMs = integer(env, 'WEBHOOK_TIMEOUT_MS', 15_000, 1, 600_000);
  const leaseMs = integer(env, 'WEBHOOK_LEASE_MS', Math.max(30_000, timeoutMs * 2), 1, 86_400_000);
  if (leaseMs <= timeoutMs) throw new ConfigError(`WEBHOOK_LEASE_MS (${leaseMs}) must be longer than WEBHOOK_TIMEOUT_MS (${timeoutMs})`);
  const maxConcurrency = integer(env, 'WEBHOOK_MAX_CONCURRENCY', 64, 1, 10_000);
  return {
    signingSecrets: signingSecrets(env),
    retryScheduleSeconds: retrySchedule(env),
    connectTimeoutMs: Math.min(connectTimeoutMs, timeoutMs),
    timeoutMs,
    maxConcurrency,
    maxPerEndpoint: Math.min(integer(env, 'WEBHOOK_MAX_PER_ENDPOINT', 8, 1, 10_000), maxConcurrency),
    leaseMs,
    pollMs: integer(env, 'WEBHOOK_POLL_MS', 1_000, 10, 3_600_000),
    retentionDays: integer(env, 'WEBHOOK_RETENTION_DAYS', 30, 1, 36_500),
    headers: resolveWebhookHeaders(langgraph.webhooks.headers, langgraph.webhooks.envPrefix, env),
    benchEndpoint: env['RUNHOOK_BENCH'] === '1',
  };
}
