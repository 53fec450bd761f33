import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { WebhookUrlPolicy } from '../config/langgraph-config';
import { addressProblem, unbracket } from './address-policy';

/** At most this many bytes of a response are read and kept in the attempt log. */
export const RESPONSE_EXCERPT_BYTES = 4096;

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Aborts the attempt from outside (a dispatcher handing its deliveries back at shutdown). */
  signal?: AbortSignal;
}

export interface SendResult {
  /** null when no HTTP answer arrived. */
  statusCode: number | null;
  error: string | null;
  excerpt: string | null;
  retryAfter: string | undefined;
  timedOut: boolean;
}

export interface SenderOptions {
  policy: Pick<WebhookUrlPolicy, 'disableLoopback' | 'disablePrivateIps'>;
  connectTimeoutMs: number;
  timeoutMs: number;
  connectionsPerEndpoint: number;
}

class RefusedAddressError extends Error {
  readonly code = 'ERR_WEBHOOK_ADDRESS_REFUSED';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Resolves like dns.lookup but fails when any address of the name is refused by the policy. Sockets connect to
 * the addresses handed back here, so what was checked is what is dialled (no DNS rebinding in between).
 */
export function guardedLookup(policy: SenderOptions['policy']) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const problem = addressProblem(address, policy);
        if (problem) return callback(new RefusedAddressError(`SSRF guard: ${hostname} resolves to ${problem}`), []);
      }
      if (options.all) return callback(null, addresses);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The request target exactly as the user wrote it (path and query untouched), so `?token=...` arrives intact. */
export function requestTarget(url: string): { origin: string; path: string } {
  const parsed = new URL(url);
  const afterScheme = url.indexOf('//') + 2;
  const authorityEnd = url.slice(afterScheme).search(/[/?#]/);
  let rest = authorityEnd === -1 ? '' : url.slice(afterScheme + authorityEnd);
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  if (!rest.startsWith('/')) rest = `/${rest}`;
  // Bytes HTTP cannot carry (spaces, non-ASCII) are sent percent-encoded, as URL parsing would have them.
  const path = /^[\x21-\x7e]*$/.test(rest) ? rest : `${parsed.pathname}${parsed.search}`;
  return { origin: parsed.origin, path };
}

/**
 * One keep-alive undici Agent (a pool per origin) for every delivery. Redirects are not followed, each attempt has a
 * connect timeout and a total timeout, at most RESPONSE_EXCERPT_BYTES of the answer are read, and every connection
 * goes through the SSRF guard (literal IP hosts included, which never reach a DNS lookup).
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly options: SenderOptions) {
    const base = buildConnector({ timeout: options.connectTimeoutMs, lookup: guardedLookup(options.policy) });
    this.agent = new Agent({
      connections: options.connectionsPerEndpoint,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      connect: (connectOptions, callback) => {
        const host = unbracket(connectOptions.hostname);
        const problem = isIP(host) ? addressProblem(host, options.policy) : null;
        if (problem) return callback(new RefusedAddressError(`SSRF guard: ${problem}`), null);
        base(connectOptions, callback);
      },
    });
  }

  async send(request: SendRequest): Promise<SendResult> {
    // One controller for the timeout and the caller's signal both: AbortSignal.any costs more than the send's own
    // bookkeeping at a few thousand deliveries a second.
    const abort = new AbortController();
    let timedOutHere = false;
    const timer = setTimeout(() => {
      timedOutHere = true;
      abort.abort();
    }, this.options.timeoutMs);
    const outer = request.signal;
    const forward = (): void => abort.abort();
    if (outer?.aborted) abort.abort();
    else outer?.addEventListener('abort', forward, { once: true });
    try {
      const { origin, path } = requestTarget(request.url);
      const response = await this.agent.request({
        origin,
        path,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: abort.signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const excerpt = await readExcerpt(response.body);
      const retryAfter = response.headers['retry-after'];
      return {
        statusCode: response.statusCode,
        error: response.statusCode >= 200 && response.statusCode < 300 ? null : `HTTP ${response.statusCode}`,
        excerpt,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        timedOut: false,
      };
    } catch (error) {
      const timedOut = timedOutHere || /timeout/i.test((error as NodeJS.ErrnoException).code ?? '');
      return { statusCode: null, error: describeError(error, timedOut, this.options.timeoutMs), excerpt: null, retryAfter: undefined, timedOut };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => this.agent.destroy());
  }
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_EXCERPT_BYTES) {
      // Stop reading: a receiver cannot make us download a large body.
      body.destroy();
      break;
    }
  }
  if (size === 0) return null;
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}

function describeError(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  const failure = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const cause = failure.cause ?? failure;
  const code = cause.code ?? failure.code;
  const message = cause.message || failure.message || String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
