import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { redactCredentials } from '@runhook/webhooks';
import { isIP } from 'node:net';
import { type AppConfig, InjectConfig } from '../config/app-config';
import type { WebhookUrlPolicy } from '../config/langgraph-config';
import { addressProblem, unbracket } from './address-policy';
import { HostResolver } from './host-resolver';
import { checkUrlPolicy } from './webhook-url-policy';

function refuse(detail: string): UnprocessableEntityException {
  // Messages may quote the URL or a host; whatever they quote, credentials are not shown.
  return new UnprocessableEntityException({ detail: `Webhook ${redactCredentials(detail)}` });
}

/**
 * The webhook host could not be resolved right now. Still a 422 for a client creating a run, but a
 * scheduler may try again later: DNS failures are often passing.
 */
export class WebhookHostUnresolvedError extends UnprocessableEntityException {
  readonly transient = true;
}

export { domainAllowed, isRelativeWebhook } from './webhook-url-policy';

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
    const check = checkUrlPolicy(url, this.policy);
    if (check.problem !== null) throw refuse(check.problem);
    // An allowed relative URL calls this server: there is no host to resolve.
    if (check.parsed !== null) await this.assertAddresses(check.parsed.hostname);
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
