import { redactCredentials } from '@runhook/webhooks';
import type { WebhookUrlPolicy } from '../config/langgraph-config';

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

export type UrlPolicyCheck = { problem: string; parsed?: undefined } | { problem: null; parsed: URL | null };

/**
 * The `webhooks.url` rules of `langgraph.json` that need no DNS: length, scheme, no userinfo, https, domains and
 * ports. Checked when a URL is accepted and again before every attempt, so a tightened policy also stops queued
 * retries. Problems name the rule and never echo a credential. `parsed` is null for an allowed relative URL.
 */
export function checkUrlPolicy(url: string, policy: WebhookUrlPolicy): UrlPolicyCheck {
  if (typeof url !== 'string' || url.length === 0) return { problem: 'URL must be a non-empty string' };
  if (url.length > policy.maxUrlLength) return { problem: `URL is longer than ${policy.maxUrlLength} characters (webhooks.url.max_url_length)` };
  if (isRelativeWebhook(url)) {
    if (policy.disableLoopback) return { problem: 'URL must be absolute: relative URLs call this server and are refused (webhooks.url.disable_loopback)' };
    return { problem: null, parsed: null };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `URL is not a valid absolute URL: ${redactCredentials(url)}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { problem: `URL must use http or https, not ${parsed.protocol.slice(0, -1)}` };
  if (parsed.username || parsed.password) return { problem: 'URL must not contain a user name or password' };
  if (policy.requireHttps && parsed.protocol !== 'https:') return { problem: 'URL must use https (webhooks.url.require_https)' };
  if (policy.allowedDomains && !domainAllowed(parsed.hostname, policy.allowedDomains)) {
    return { problem: `URL host ${parsed.hostname} is not in webhooks.url.allowed_domains` };
  }
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  if (policy.allowedPorts && !policy.allowedPorts.includes(port)) return { problem: `URL port ${port} is not in webhooks.url.allowed_ports` };
  return { problem: null, parsed };
}
