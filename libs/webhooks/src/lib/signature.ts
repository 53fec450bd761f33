import { createHmac, timingSafeEqual } from 'node:crypto';

/** A header map as Node and Express hand it over; names are matched case-insensitively. */
export type WebhookHeaderMap = Record<string, string | string[] | undefined>;

export type SignatureVerificationFailure =
  | 'missing-headers'
  | 'bad-timestamp'
  | 'timestamp-too-old'
  | 'timestamp-too-new'
  | 'no-matching-signature';

export type SignatureVerificationResult = { ok: true } | { ok: false; reason: SignatureVerificationFailure };

export interface SignPayloadInput {
  id: string;
  /** The attempt time: a Date or integer Unix seconds. */
  timestamp: Date | number;
  /** The exact bytes sent; a string is taken as UTF-8. */
  body: string | Buffer;
  secrets: readonly Buffer[];
}

export interface BuildWebhookHeadersInput extends SignPayloadInput {
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
}

export interface VerifySignatureInput {
  headers: WebhookHeaderMap;
  /** The raw request bytes, before any JSON parsing. */
  body: string | Buffer;
  secrets: readonly Buffer[];
  toleranceSeconds?: number;
  now?: () => Date;
}

const SIGNATURE_VERSION = 'v1';
const DEFAULT_TOLERANCE_SECONDS = 300;
// 12 digits reach the year 33658; longer strings cannot be a sane Unix time and would lose precision as numbers.
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

/** The `webhook-signature` header value: one `v1,<base64>` entry per secret, separated by spaces. */
export function signPayload({ id, timestamp, body, secrets }: SignPayloadInput): string {
  if (secrets.length === 0) {
    throw new Error('signPayload needs at least one secret');
  }
  const signedContent = buildSignedContent(assertValidId(id), toUnixSeconds(timestamp), body);
  return secrets.map((secret) => `${SIGNATURE_VERSION},${hmacBase64(secret, signedContent)}`).join(' ');
}

/** All Standard Webhooks headers for one attempt; `webhook-signature` only when there is a secret to sign with. */
export function buildWebhookHeaders({ id, timestamp, body, secrets, attempt }: BuildWebhookHeadersInput): Record<string, string> {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new Error(`webhook attempt must be a positive integer, got ${attempt}`);
  }
  const headers: Record<string, string> = {
    'webhook-id': assertValidId(id),
    'webhook-timestamp': String(toUnixSeconds(timestamp)),
  };
  if (secrets.length > 0) {
    headers['webhook-signature'] = signPayload({ id, timestamp, body, secrets });
  }
  headers['webhook-attempt'] = String(attempt);
  return headers;
}

/**
 * Checks a received delivery: the timestamp must be within `toleranceSeconds` of `now` in either direction, and at
 * least one `v1` signature must match one of `secrets` (several during a rotation). Other versions are ignored.
 */
export function verifySignature({
  headers,
  body,
  secrets,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  now = () => new Date(),
}: VerifySignatureInput): SignatureVerificationResult {
  if (secrets.length === 0) {
    throw new Error('verifySignature needs at least one secret; skip the check explicitly when none is configured');
  }
  const id = singleHeader(headers, 'webhook-id');
  const timestampText = singleHeader(headers, 'webhook-timestamp');
  const signatureList = joinedHeader(headers, 'webhook-signature');
  if (!id || !timestampText || !signatureList) {
    return { ok: false, reason: 'missing-headers' };
  }
  if (!TIMESTAMP_PATTERN.test(timestampText)) {
    return { ok: false, reason: 'bad-timestamp' };
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor(now().getTime() / 1000);
  if (nowSeconds - timestamp > toleranceSeconds) {
    return { ok: false, reason: 'timestamp-too-old' };
  }
  if (timestamp - nowSeconds > toleranceSeconds) {
    return { ok: false, reason: 'timestamp-too-new' };
  }

  const offered = signatureList
    .split(' ')
    .filter((entry) => entry.startsWith(`${SIGNATURE_VERSION},`))
    .map((entry) => Buffer.from(entry.slice(SIGNATURE_VERSION.length + 1), 'utf8'));
  const signedContent = buildSignedContent(id, timestamp, body);
  for (const secret of secrets) {
    const expected = Buffer.from(hmacBase64(secret, signedContent), 'utf8');
    // Every expected signature has the same public length, so checking it first leaks nothing about the secret.
    if (offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) {
      return { ok: true };
    }
  }
  return { ok: false, reason: 'no-matching-signature' };
}

function buildSignedContent(id: string, timestampSeconds: number, body: string | Buffer): Buffer {
  const bodyBytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${id}.${timestampSeconds}.`, 'utf8'), bodyBytes]);
}

function hmacBase64(secret: Buffer, content: Buffer): string {
  return createHmac('sha256', secret).update(content).digest('base64');
}

function toUnixSeconds(timestamp: Date | number): number {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(`webhook timestamp must be a Date or non-negative integer Unix seconds, got ${String(timestamp)}`);
  }
  return seconds;
}

// The spec uses "." as the delimiter of the signed content, so an id containing one would make it ambiguous.
function assertValidId(id: string): string {
  if (id === '' || id.includes('.')) {
    throw new Error(`webhook id must be non-empty and contain no ".", got ${JSON.stringify(id)}`);
  }
  return id;
}

function findHeader(headers: WebhookHeaderMap, name: string): string | string[] | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) {
      return value;
    }
  }
  return undefined;
}

// Two different ids or timestamps in one request are ambiguous, so they count as missing.
function singleHeader(headers: WebhookHeaderMap, name: string): string | undefined {
  const value = findHeader(headers, name);
  if (Array.isArray(value)) {
    return value.length === 1 ? value[0].trim() : undefined;
  }
  return value?.trim();
}

// Repeated signature headers are just more entries of the same list.
function joinedHeader(headers: WebhookHeaderMap, name: string): string | undefined {
  const value = findHeader(headers, name);
  const joined = (Array.isArray(value) ? value.join(' ') : value)?.trim();
  return joined === '' ? undefined : joined;
}
