import type { EndpointAttempt } from './deliveries.repository';
import { endpointHealth } from './endpoint-health';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (endpoint: string, offsetMs: number, status_code: number | null, duration_ms = 10): EndpointAttempt => ({
  endpoint,
  started_at: T0 + offsetMs,
  duration_ms,
  status_code,
});

describe('endpointHealth', () => {
  it('gives each endpoint its success rate, median latency and last answer', () => {
    const [line] = endpointHealth([at('http://a:80', 0, 200, 10), at('http://a:80', 1, 500, 30), at('http://a:80', 2, 204, 20), at('http://a:80', 3, 201, 40)]);

    expect(line).toEqual({
      endpoint: 'http://a:80',
      attempts: 4,
      success_rate: 0.75,
      p50_latency_ms: 25,
      last_attempt_at: new Date(T0 + 3).toISOString(),
      last_status_code: 201,
      failing_since: null,
    });
  });

  it('says since when an endpoint has failed without a break, whatever order the attempts come in', () => {
    const [line] = endpointHealth([at('http://a:80', 30, null), at('http://a:80', 0, 200), at('http://a:80', 20, 503), at('http://a:80', 10, 200)]);

    expect(line.failing_since).toBe(new Date(T0 + 20).toISOString());
    expect(line.last_status_code).toBeNull();
    expect(line.success_rate).toBe(0.5);
  });

  it('counts only 2xx as success: a 3xx or 4xx keeps the endpoint failing', () => {
    const [line] = endpointHealth([at('http://a:80', 0, 302), at('http://a:80', 1, 410)]);

    expect(line).toMatchObject({ success_rate: 0, failing_since: new Date(T0).toISOString() });
  });

  it('lists failing endpoints first, then by name, with an odd-sized median taken as is', () => {
    const lines = endpointHealth([
      at('http://b:80', 0, 200, 5),
      at('http://c:80', 0, 500, 7),
      at('http://a:80', 0, 200, 1),
      at('http://a:80', 1, 200, 9),
      at('http://a:80', 2, 200, 3),
    ]);

    expect(lines.map((line) => line.endpoint)).toEqual(['http://c:80', 'http://a:80', 'http://b:80']);
    expect(lines[1].p50_latency_ms).toBe(3);
  });

  it('has no line for an endpoint without attempts', () => {
    expect(endpointHealth([])).toEqual([]);
  });
});
