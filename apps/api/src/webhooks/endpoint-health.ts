import type { EndpointAttempt } from './deliveries.repository';

/** How one receiver (scheme://host:port) has answered lately; `GET /webhooks/endpoints` lists these. */
export interface EndpointHealth {
  endpoint: string;
  /** Attempts in the window. */
  attempts: number;
  /** Share of those attempts answered 2xx, 0..1. */
  success_rate: number;
  /** Median attempt duration in the window, milliseconds. */
  p50_latency_ms: number;
  last_attempt_at: string;
  last_status_code: number | null;
  /** Start of the unbroken run of failed attempts that the latest attempt belongs to; null when it succeeded. */
  failing_since: string | null;
}

const succeeded = (attempt: EndpointAttempt): boolean => attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

/**
 * Folds recent attempts (any order) into one health line per endpoint, failing endpoints first, then by name.
 * "Failing since" walks back from the newest attempt while attempts fail, so a single recovery clears it.
 */
export function endpointHealth(attempts: EndpointAttempt[]): EndpointHealth[] {
  const byEndpoint = new Map<string, EndpointAttempt[]>();
  for (const attempt of attempts) {
    const list = byEndpoint.get(attempt.endpoint) ?? [];
    list.push(attempt);
    byEndpoint.set(attempt.endpoint, list);
  }
  const lines: EndpointHealth[] = [];
  for (const [endpoint, list] of byEndpoint) {
    const newestFirst = [...list].sort((a, b) => b.started_at - a.started_at);
    let failingSince: number | null = null;
    for (const attempt of newestFirst) {
      if (succeeded(attempt)) break;
      failingSince = attempt.started_at;
    }
    lines.push({
      endpoint,
      attempts: list.length,
      success_rate: list.filter(succeeded).length / list.length,
      p50_latency_ms: median(list.map((attempt) => attempt.duration_ms)),
      last_attempt_at: new Date(newestFirst[0].started_at).toISOString(),
      last_status_code: newestFirst[0].status_code,
      failing_since: failingSince === null ? null : new Date(failingSince).toISOString(),
    });
  }
  return lines.sort((a, b) => Number(b.failing_since !== null) - Number(a.failing_since !== null) || a.endpoint.localeCompare(b.endpoint));
}
