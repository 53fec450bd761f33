import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { isIP } from 'node:net';
import { type AppConfig, InjectConfig } from '../config/app-config';
import type { WebhookUrlPolicy } from '../config/langgraph-config';
import { addressProblem, unbracket } from './address-policy';
import { HostResolver } from './host-resolver';

function refuse(detail: string): UnprocessableEntityException {
  return new UnprocessableEntityException({ detail: `Webhook ${detail}` });
}

/**
 * The webhook host could not be resolved right now. Still a 422 for a client creating a run, but a
 * scheduler may try again later: DNS failures are often passing.
 */
export class WebhookHostUnresolvedError extends UnprocessableEntityException {
  readonly transient = true;
}

/** `*.example.com` matches subdomains of example.com only; anything else matches that exact host. */
export function domainAllowed(hostname: string, allowed: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allowed.some((pattern) => {
    const rule = pattern.toLowerCase().replace(/\.$/, '');
    if (rule.startsWith('*.')) return host.endsWith(rule.slice(1)) && host.length > rule.length - 1;
    return host === rule;
  });
}

export function isRelativeWebhook(url: string): boolean {
  return url.startsWith('/') && !url.startsWith('//');
}

/**
 * The one check of a webhook URL, used by every run endpoint and by crons: the `webhooks.url` policy of
 * `langgraph.json` plus the SSRF guard over every address the host resolves to. Throws 422 naming the problem.
 */
@Injectable()
export class WebhookUrlValidator {
  private readonly policy: WebhookUrlPolicy;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly resolver: HostResolver,
  ) {
    this.policy = config.langgraph.webhooks.url;
  }

  async assertAllowed(url: string): Promise<void> {
    // With webhooks switched off the field is kept on the run but nothing is ever sent, so nothing to guard.
    if (this.config.langgraph.http.disableWebhooks) return;
    const policy = this.policy;
    if (typeof url !== 'string' || url.length === 0) throw refuse('URL must be a non-empty string');
    if (url.length > policy.maxUrlLength) throw refuse(`URL is longer than ${policy.maxUrlLength} characters (webhooks.url.max_url_length)`);
    if (isRelativeWebhook(url)) {
      if (policy.disableLoopback) throw refuse('URL must be absolute: relative URLs call this server and are refused (webhooks.url.disable_loopback)');
      return;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw refuse(`URL is not a valid absolute URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refuse(`URL must use http or https, not ${parsed.protocol.slice(0, -1)}`);
    if (parsed.username || parsed.password) throw refuse('URL must not contain a user name or password');
    if (policy.requireHttps && parsed.protocol !== 'https:') throw refuse('URL must use https (webhooks.url.require_https)');
    if (policy.allowedDomains && !domainAllowed(parsed.hostname, policy.allowedDomains)) {
      throw refuse(`URL host ${parsed.hostname} is not in webhooks.url.allowed_domains`);
    }
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    if (policy.allowedPorts && !policy.allowedPorts.includes(port)) throw refuse(`URL port ${port} is not in webhooks.url.allowed_ports`);
    await this.assertAddresses(parsed.hostname);
  }

  private async assertAddresses(hostname: string): Promise<void> {
    const host = unbracket(hostname);
    if (isIP(host)) {
      const problem = addressProblem(host, this.policy);
      if (problem) throw refuse(`URL is refused: ${problem}`);
      return;
    }
    const name = host.toLowerCase().replace(/\.$/, '');
    if (this.policy.disableLoopback && (name === 'localhost' || name.endsWith('.localhost'))) {
      throw refuse(`URL is refused: ${host} is a loopback name (allowed only with webhooks.url.disable_loopback: false)`);
    }
    let addresses;
    try {
      addresses = await this.resolver.resolveAll(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
      throw new WebhookHostUnresolvedError({ detail: `Webhook URL host ${host} could not be resolved (${code})` });
    }
    if (addresses.length === 0) throw refuse(`URL host ${host} resolves to no address`);
    for (const { address } of addresses) {
      const problem = addressProblem(address, this.policy);
      if (problem) throw refuse(`URL is refused: ${host} resolves to ${problem}`);
    }
  }
}
