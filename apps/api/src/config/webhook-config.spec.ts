import { DEFAULT_RETRY_SCHEDULE_SECONDS } from '@runhook/webhooks';
import { NO_CUSTOM_AUTH } from './auth-config';
import { ConfigError } from './config-error';
import { parseHttpConfig } from './http-config';
import type { LanggraphConfig } from './langgraph-config';
import { loadWebhookSettings, resolveWebhookHeaders } from './webhook-config';

const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

function langgraph(headers: Record<string, string> = {}, envPrefix = 'LG_WEBHOOK_'): LanggraphConfig {
  return {
    path: 'langgraph.json',
    graphs: {},
    webhooks: {
      envPrefix,
      headers,
      url: { requireHttps: false, allowedDomains: null, allowedPorts: null, maxUrlLength: 4096, disableLoopback: true, disablePrivateIps: true },
      allowedFields: null,
    },
    http: parseHttpConfig({}, '.'),
    auth: NO_CUSTOM_AUTH,
    env: {},
    warnings: [],
  };
}

describe('loadWebhookSettings', () => {
  it('has the documented defaults', () => {
    const sut = loadWebhookSettings({}, langgraph());

    expect(sut).toEqual({
      signingSecrets: [],
      retryScheduleSeconds: [...DEFAULT_RETRY_SCHEDULE_SECONDS],
      connectTimeoutMs: 5_000,
      timeoutMs: 15_000,
      maxConcurrency: 64,
      maxPerEndpoint: 8,
      leaseMs: 30_000,
      pollMs: 1_000,
      retentionDays: 30,
      headers: {},
      benchEndpoint: false,
    });
  });

  it('reads secrets, a fractional schedule and the limits', () => {
    const sut = loadWebhookSettings(
      { WEBHOOK_SIGNING_SECRETS: `${SECRET} ${SECRET}`, WEBHOOK_RETRY_SCHEDULE: '0.2, 0.2,1.5', WEBHOOK_MAX_CONCURRENCY: '4', WEBHOOK_MAX_PER_ENDPOINT: '16' },
      langgraph(),
    );

    expect(sut.signingSecrets).toHaveLength(2);
    expect(sut.retryScheduleSeconds).toEqual([0.2, 0.2, 1.5]);
    expect(sut.maxPerEndpoint).toBe(4);
  });

  it('names the bad variable without echoing a secret', () => {
    expect(() => loadWebhookSettings({ WEBHOOK_SIGNING_SECRETS: 'whsec_!!notbase64' }, langgraph())).toThrow(
      /^WEBHOOK_SIGNING_SECRETS: signing secret #1 of 1/,
    );
    expect(() => loadWebhookSettings({ WEBHOOK_SIGNING_SECRETS: 'whsec_!!notbase64' }, langgraph())).not.toThrow(/notbase64/);
    expect(() => loadWebhookSettings({ WEBHOOK_RETRY_SCHEDULE: '5,x' }, langgraph())).toThrow(/^WEBHOOK_RETRY_SCHEDULE: /);
    expect(() => loadWebhookSettings({ WEBHOOK_TIMEOUT_MS: '0' }, langgraph())).toThrow(ConfigError);
    expect(() => loadWebhookSettings({ WEBHOOK_TIMEOUT_MS: '5000', WEBHOOK_LEASE_MS: '5000' }, langgraph())).toThrow(/WEBHOOK_LEASE_MS/);
  });
});

describe('resolveWebhookHeaders', () => {
  it('fills ${{ env.VAR }} templates from the environment', () => {
    const headers = { Authorization: 'Bearer ${{ env.LG_WEBHOOK_TOKEN }}', 'X-Static': 'plain', 'X-Two': '${{env.LG_WEBHOOK_A}}-${{ env.LG_WEBHOOK_B }}' };

    expect(resolveWebhookHeaders(headers, 'LG_WEBHOOK_', { LG_WEBHOOK_TOKEN: 's3cret', LG_WEBHOOK_A: 'a', LG_WEBHOOK_B: 'b' })).toEqual({
      Authorization: 'Bearer s3cret',
      'X-Static': 'plain',
      'X-Two': 'a-b',
    });
  });

  it('refuses to start when a variable is missing or lacks the prefix', () => {
    expect(() => resolveWebhookHeaders({ Authorization: '${{ env.LG_WEBHOOK_TOKEN }}' }, 'LG_WEBHOOK_', {})).toThrow(
      new ConfigError('webhooks.headers.Authorization: environment variable LG_WEBHOOK_TOKEN is not set'),
    );
    expect(() => resolveWebhookHeaders({ Authorization: '${{ env.HOME }}' }, 'LG_WEBHOOK_', { HOME: '/root' })).toThrow(
      /HOME must start with the env prefix "LG_WEBHOOK_"/,
    );
  });
});
