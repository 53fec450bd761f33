import type { RouteGroup } from '../config/http-config';

const META_ROOTS = new Set(['info', 'metrics', 'openapi.json', 'docs', 'docs-json']);

/**
 * The `http.disable_*` group a request path belongs to, by path prefix alone, so route groups added later
 * (`/store/*`, `/threads/{id}/stream`, `/threads/prune`, ...) are covered without being listed. As in the reference,
 * a thread's runs, crons and its thread-protocol endpoints (`commands`, `stream/events`) belong to the runs group.
 * `/ok` and the delivery log belong to no group: a health check keeps working whatever is switched off.
 */
export function routeGroupOf(path: string): RouteGroup | null {
  // Express matches routes case-insensitively and ignores empty segments, so the gate must too.
  const segments = path.split('?', 1)[0].toLowerCase().split('/').filter(Boolean);
  const [root, , sub, subsub] = segments;
  if (root === undefined) return null;
  if (META_ROOTS.has(root)) return 'meta';
  if (root === 'assistants' || root === 'store' || root === 'runs' || root === 'ui') return root;
  if (root !== 'threads') return null;
  if (sub === 'runs' || sub === 'commands' || (sub === 'stream' && subsub === 'events')) return 'runs';
  return 'threads';
}

/** `path` without `prefix`, or null when the path lies outside it ('' means no prefix). */
export function stripMountPrefix(url: string, prefix: string): string | null {
  if (prefix === '') return url;
  const lower = url.toLowerCase();
  const base = prefix.toLowerCase();
  if (lower === base) return '/';
  const next = lower.charAt(base.length);
  if (!lower.startsWith(base) || (next !== '/' && next !== '?')) return null;
  const rest = url.slice(prefix.length);
  return rest.startsWith('?') ? `/${rest}` : rest;
}
