import { UnprocessableEntityException } from '@nestjs/common';
import { THREAD_TTL_STRATEGIES, type ThreadTtl, type ThreadTtlStrategy } from '@runhook/contracts';

const MINUTE_MS = 60_000;

function invalid(detail: string): never {
  throw new UnprocessableEntityException({ detail });
}

/**
 * The `ttl` of a thread create or PATCH: `{ttl: minutes, strategy}` as the SDK sends it, or a plain
 * number of minutes. Undefined leaves the TTL as it is; null clears it.
 */
export function parseThreadTtl(value: unknown, nowMs: number): ThreadTtl | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const spec = typeof value === 'number' ? { ttl: value } : value;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) invalid('ttl must be a number of minutes or {ttl, strategy}');
  const { ttl, strategy = 'delete' } = spec as { ttl?: unknown; strategy?: unknown };
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) invalid('ttl.ttl must be a positive number of minutes');
  if (!THREAD_TTL_STRATEGIES.includes(strategy as ThreadTtlStrategy)) {
    invalid(`ttl.strategy must be one of ${THREAD_TTL_STRATEGIES.join(', ')}`);
  }
  return { strategy: strategy as ThreadTtlStrategy, ttl, expires_at: expiryOf(ttl, nowMs) };
}

export function expiryOf(ttlMinutes: number, nowMs: number): string {
  return new Date(nowMs + ttlMinutes * MINUTE_MS).toISOString();
}

/** Whether a response asks for the thread's TTL (`include=ttl`, or `select` naming it). */
export function wantsTtl(...lists: (string[] | string | undefined)[]): boolean {
  return lists.some((list) => (Array.isArray(list) ? list.includes('ttl') : list === 'ttl'));
}
