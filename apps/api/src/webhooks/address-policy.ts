import { classifyAddress } from '@runhook/webhooks';
import type { WebhookUrlPolicy } from '../config/langgraph-config';

/**
 * Why `ip` may not be a webhook target under `policy`, or null when it may. Loopback and private targets are
 * refused unless the policy switches that off; link-local (cloud metadata) and reserved ranges are always refused.
 */
export function addressProblem(ip: string, policy: Pick<WebhookUrlPolicy, 'disableLoopback' | 'disablePrivateIps'>): string | null {
  let kind;
  try {
    kind = classifyAddress(ip);
  } catch {
    return `${ip} is not an IP address`;
  }
  switch (kind) {
    case 'public':
      return null;
    case 'loopback':
      return policy.disableLoopback ? `${ip} is a loopback address (allowed only with webhooks.url.disable_loopback: false)` : null;
    case 'private':
      return policy.disablePrivateIps ? `${ip} is a private address (allowed only with webhooks.url.disable_private_ips: false)` : null;
    case 'link-local':
      return `${ip} is a link-local or cloud metadata address`;
    default:
      return `${ip} is in a reserved address range`;
  }
}

/** The bare address of a URL hostname: `[::1]` → `::1`. */
export function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
