import 'reflect-metadata';
import type { WebhookDelivery, WebhookDeliveryDetail } from '@runhook/contracts';
import { runInNewContext } from 'node:vm';
import type { EndpointHealth } from '../endpoint-health';
import { CONSOLE_RENDER_JS } from './console-render';
import { renderConsolePage } from './console-page';

interface Render {
  esc(value: unknown): string;
  redactUrl(url: string): string;
  renderDeliveryRows(deliveries: WebhookDelivery[], selectedId: string | null): string;
  renderAttempts(detail: WebhookDeliveryDetail): string;
  renderEndpoints(lines: EndpointHealth[]): string;
}

// The exact text the page inlines, evaluated in a fresh context with only what a browser also has.
const render = runInNewContext(`${CONSOLE_RENDER_JS}; ({ esc, redactUrl, renderDeliveryRows, renderAttempts, renderEndpoints })`, { URL }) as Render;

const HOSTILE = `<img src=x onerror="alert(1)">'&\``;
const ISO = '2026-03-01T12:00:00.000Z';

function delivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    delivery_id: '0190aaaa-0000-7000-8000-000000000001',
    webhook_id: '0190aaaa-0000-7000-8000-000000000002',
    run_id: '0190aaaa-0000-7000-8000-000000000003',
    thread_id: null,
    cron_id: null,
    url: 'https://hooks.example.com:8443/in?token=s3cret&kind=run',
    status: 'pending',
    attempts: 1,
    next_attempt_at: ISO,
    last_status_code: 503,
    last_error: 'HTTP 503',
    created_at: ISO,
    updated_at: ISO,
    delivered_at: null,
    ...overrides,
  };
}

/** Markup as the browser would parse it: no tag or attribute may start from a value. */
function tagsIn(html: string): string[] {
  return [...html.matchAll(/<([a-z]+)/g)].map((match) => match[1]);
}

describe('the delivery console rendering', () => {
  it('escapes every markup character, backtick included', () => {
    expect(render.esc(HOSTILE)).toBe('&#60;img src=x onerror=&#34;alert(1)&#34;&#62;&#39;&#38;&#96;');
    expect(render.esc(null)).toBe('');
    expect(render.esc(0)).toBe('0');
  });

  it('redacts tokens, secrets and passwords in URLs and keeps the rest readable', () => {
    expect(render.redactUrl('https://u:pw@hooks.example.com:8443/in?token=s3cret&kind=run&api_key=k')).toBe(
      'https://redacted:redacted@hooks.example.com:8443/in?token=redacted&kind=run&api_key=redacted',
    );
    expect(render.redactUrl('http://127.0.0.1:9/hook')).toBe('http://127.0.0.1:9/hook');
    expect(render.redactUrl('not a url s3cret')).toBe('[unparseable URL]');
  });

  it('shows a delivery row with its redacted URL, and hostile values only as text', () => {
    const html = render.renderDeliveryRows([delivery({ url: `https://evil.example/${encodeURIComponent(HOSTILE)}?token=s3cret`, thread_id: HOSTILE })], null);

    expect(tagsIn(html)).toEqual(['tr', 'td', 'td', 'td', 'td', 'td', 'td', 'td', 'td', 'td']);
    expect(html).not.toContain('s3cret');
    expect(html).toContain('token=redacted');
    expect(html).toContain('&#60;img src=x onerror=&#34;alert(1)&#34;&#62;');
  });

  it('shows every attempt (time, status code, latency, error, first bytes) and a Redeliver button, escaped', () => {
    const html = render.renderAttempts({
      ...delivery({ status: 'failed' }),
      attempts_log: [
        { attempt: 1, started_at: ISO, duration_ms: 42, status_code: 500, error: HOSTILE, response_excerpt: `</pre><script>alert(1)</script>${HOSTILE}` },
        { attempt: 2, started_at: ISO, duration_ms: 7, status_code: null, error: 'connect ECONNREFUSED', response_excerpt: null },
      ],
    });

    expect(html).not.toContain('<script');
    expect(html).not.toContain('s3cret');
    expect(html).toContain('&#60;/pre&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('<td class="num code">500</td><td class="num">42 ms</td>');
    expect(html).toContain('<td class="num code">—</td><td class="num">7 ms</td><td class="error">connect ECONNREFUSED</td>');
    expect(html).toContain('2026-03-01 12:00:00.000');
    expect(html).toMatch(/<button type="button" id="redeliver" data-delivery-id="0190aaaa-0000-7000-8000-000000000001">Redeliver<\/button>/);
    expect(tagsIn(html).filter((tag) => tag === 'pre')).toHaveLength(2);
  });

  it('disables Redeliver while the delivery is being sent', () => {
    expect(render.renderAttempts({ ...delivery({ status: 'delivering' }), attempts_log: [] })).toContain('data-delivery-id="0190aaaa-0000-7000-8000-000000000001" disabled>');
  });

  it('shows each endpoint with success rate, p50 latency and failing since, escaped', () => {
    const html = render.renderEndpoints([
      { endpoint: `http://${HOSTILE}`, attempts: 3, success_rate: 2 / 3, p50_latency_ms: 12, last_attempt_at: ISO, last_status_code: 500, failing_since: ISO },
      { endpoint: 'http://127.0.0.1:9', attempts: 1, success_rate: 1, p50_latency_ms: 3, last_attempt_at: ISO, last_status_code: 200, failing_since: null },
    ]);

    expect(tagsIn(html).filter((tag) => tag === 'img')).toEqual([]);
    expect(html).toContain('<td class="num">66.7 %</td><td class="num">12 ms</td><td class="num">500</td><td class="failing-since">2026-03-01 12:00:00.000</td>');
    expect(html).toContain('<tr data-endpoint="http://127.0.0.1:9"><td');
    expect(html).toContain('healthy');
  });

  it('serves a page whose script parses, under a nonce-locked CSP', () => {
    const { html, contentSecurityPolicy } = renderConsolePage();
    const nonce = /script-src 'nonce-([^']+)'/.exec(contentSecurityPolicy)?.[1];
    const script = /<script nonce="([^"]+)">([\s\S]*)<\/script>/.exec(html);

    expect(script?.[1]).toBe(nonce);
    expect(() => new Function(script?.[2] ?? 'syntax error here')).not.toThrow();
    expect(contentSecurityPolicy).toContain("default-src 'none'");
    expect(renderConsolePage().contentSecurityPolicy).not.toBe(contentSecurityPolicy);
  });
});
