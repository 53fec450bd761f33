import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseSigningSecrets } from '@runhook/webhooks';

/** The receiver's settings, validated once at start. Also the DI token, so tests can provide their own. */
export abstract class ReceiverConfig {
  abstract readonly host: string;
  /** 0 picks a free port (the start-up line shows which). */
  abstract readonly port: number;
  abstract readonly webhookPath: string;
  /** Absolute path of the SQLite file; its folder exists. */
  abstract readonly databasePath: string;
  /** Secret: the expected `?token=` value; undefined skips the token check. */
  abstract readonly token: string | undefined;
  /**
   * Secret: RECEIVER_READ_TOKEN, required to read what arrived (`/deliveries`, `/events`, the page) in an
   * `x-receiver-token` header, a bearer token or `?token=`; undefined leaves the read side open.
   */
  abstract readonly readToken: string | undefined;
  /** Secret: decoded signing keys; empty skips the signature check. */
  abstract readonly signingSecrets: readonly Buffer[];
  /** Answer 503 to the first N deliveries of each webhook-id (retry demos and tests). */
  abstract readonly failFirst: number;
}

export class ReceiverConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid receiver configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ReceiverConfigError';
  }
}

type Environment = Record<string, string | undefined>;

const DEFAULTS = {
  host: '127.0.0.1',
  port: 2025,
  webhookPath: '/webhooks',
  databasePath: '.runhook/receiver.sqlite',
  failFirst: 0,
} as const;

// The receiver's own routes; the webhook path must not shadow them.
const RESERVED_PATHS = ['/', '/deliveries', '/events', '/ok'];
const PATH_PATTERN = /^\/[A-Za-z0-9._~\-/]*$/;

/**
 * Reads and validates every RECEIVER_* variable, reporting all bad values at once. Creates the database folder.
 * The only place in the receiver that reads the environment.
 */
export function loadReceiverConfig(env: Environment = process.env, cwd: string = process.cwd()): ReceiverConfig {
  const problems: string[] = [];
  const fail = (problem: string): undefined => {
    problems.push(problem);
    return undefined;
  };

  const host = readOptional(env, 'RECEIVER_HOST') ?? DEFAULTS.host;
  const port = readInteger(env, 'RECEIVER_PORT', DEFAULTS.port, 0, 65535, fail);
  const failFirst = readInteger(env, 'RECEIVER_FAIL_FIRST', DEFAULTS.failFirst, 0, 1_000_000, fail);
  const webhookPath = readWebhookPath(env, fail);
  const token = readSecretText(env, 'RECEIVER_TOKEN', fail);
  const readToken = readSecretText(env, 'RECEIVER_READ_TOKEN', fail);
  const signingSecrets = readSigningSecrets(env, fail);
  const databasePath = resolve(cwd, readOptional(env, 'RECEIVER_DB') ?? DEFAULTS.databasePath);

  if (problems.length === 0) {
    try {
      mkdirSync(dirname(databasePath), { recursive: true });
    } catch (error) {
      fail(`RECEIVER_DB: cannot create the folder of ${databasePath}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0 || port === undefined || failFirst === undefined || webhookPath === undefined) {
    throw new ReceiverConfigError(problems);
  }
  return { host, port, webhookPath, databasePath, token, readToken, signingSecrets: signingSecrets ?? [], failFirst };
}

// An unset or empty variable means "use the default".
function readOptional(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function readInteger(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
  fail: (problem: string) => undefined,
): number | undefined {
  const text = readOptional(env, name);
  if (text === undefined) {
    return fallback;
  }
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return fail(`${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function readWebhookPath(env: Environment, fail: (problem: string) => undefined): string | undefined {
  const text = readOptional(env, 'RECEIVER_PATH') ?? DEFAULTS.webhookPath;
  const path = text.length > 1 ? text.replace(/\/+$/, '') : text;
  if (!PATH_PATTERN.test(path)) {
    return fail(`RECEIVER_PATH: expected a path such as /webhooks (letters, digits, - . _ ~ /), got ${JSON.stringify(text)}`);
  }
  if (RESERVED_PATHS.includes(path)) {
    return fail(`RECEIVER_PATH: ${path} is one of the receiver's own routes (${RESERVED_PATHS.join(', ')})`);
  }
  return path;
}

// Set-but-blank would silently switch a check off, so it is an error rather than "unset". Values are never echoed.
function readSecretText(env: Environment, name: string, fail: (problem: string) => undefined): string | undefined {
  const raw = env[name];
  if (raw === undefined) {
    return undefined;
  }
  if (raw.trim() === '') {
    return fail(`${name}: is set but empty; unset it to skip this check`);
  }
  return raw.trim();
}

function readSigningSecrets(env: Environment, fail: (problem: string) => undefined): Buffer[] | undefined {
  const list = readSecretText(env, 'RECEIVER_SIGNING_SECRETS', fail);
  if (list === undefined) {
    return undefined;
  }
  try {
    return parseSigningSecrets(list);
  } catch (error) {
    return fail(`RECEIVER_SIGNING_SECRETS: ${error instanceof Error ? error.message : String(error)}`);
  }
}
