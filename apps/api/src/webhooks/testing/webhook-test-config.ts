import { NO_CUSTOM_AUTH } from '../../config/auth-config';
import type { AppConfig } from '../../config/app-config';
import type { WebhookUrlPolicy } from '../../config/langgraph-config';
import { parseHttpConfig } from '../../config/http-config';
import type { WebhookSettings } from '../../config/webhook-config';

export const STRICT_POLICY: WebhookUrlPolicy = {
  requireHttps: false,
  allowedDomains: null,
  allowedPorts: null,
  maxUrlLength: 4096,
  disableLoopback: true,
  disablePrivateIps: true,
};

export interface TestConfigOptions {
  policy?: Partial<WebhookUrlPolicy>;
  webhooks?: Partial<WebhookSettings>;
  disableWebhooks?: boolean;
  allowedFields?: string[] | null;
}

/** An AppConfig with only what the webhooks feature reads filled in sensibly. */
export function webhookTestConfig(options: TestConfigOptions = {}): AppConfig {
  const config: Pick<AppConfig, 'host' | 'port' | 'selfUrl' | 'database' | 'langgraph' | 'roles' | 'webhooks' | 'version'> = {
    host: '127.0.0.1',
    port: 2024,
    selfUrl: 'http://127.0.0.1:2024',
    database: { kind: 'sqlite', location: ':memory:', sqliteSynchronous: 'full' },
    langgraph: {
      path: 'langgraph.json',
      graphs: {},
      webhooks: {
        envPrefix: 'LG_WEBHOOK_',
        headers: {},
        url: { ...STRICT_POLICY, ...options.policy },
        allowedFields: options.allowedFields ?? null,
      },
      http: { ...parseHttpConfig({}, '.'), disableWebhooks: options.disableWebhooks ?? false },
      auth: NO_CUSTOM_AUTH,
      env: {},
      warnings: [],
    },
    roles: new Set(['api', 'worker']),
    webhooks: {
      signingSecrets: [],
      retryScheduleSeconds: [1, 2, 3],
      connectTimeoutMs: 1000,
      timeoutMs: 2000,
      maxConcurrency: 4,
      maxPerEndpoint: 2,
      leaseMs: 5000,
      pollMs: 1000,
      retentionDays: 30,
      headers: {},
      benchEndpoint: false,
      ...options.webhooks,
    },
    version: '0.0.0-test',
  };
  // Settings of other features are never read by the webhooks feature.
  return config as AppConfig;
}
