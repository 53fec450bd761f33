import { UnprocessableEntityException } from '@nestjs/common';
import type { WebhookUrlPolicy } from '../config/langgraph-config';
import { HostResolver, type ResolvedAddress } from './host-resolver';
import { webhookTestConfig } from './testing/webhook-test-config';
import { domainAllowed, WebhookUrlValidator } from './webhook-url.validator';

/** Names resolve from this table; anything else fails like an unknown host. */
class TableResolver extends HostResolver {
  constructor(private readonly table: Record<string, string[]>) {
    super();
  }

  async resolveAll(hostname: string): Promise<ResolvedAddress[]> {
    const addresses = this.table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }
}

const DNS = new TableResolver({
  'hooks.example.com': ['93.184.215.14'],
  'api.example.com': ['93.184.215.15', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'example.com': ['93.184.215.16'],
  'rebind.example.net': ['93.184.215.17', '127.0.0.1'],
  'internal.example.net': ['10.1.2.3'],
  'metadata.example.net': ['169.254.169.254'],
  localhost: ['127.0.0.1', '::1'],
});

function validator(policy: Partial<WebhookUrlPolicy> = {}, disableWebhooks = false): WebhookUrlValidator {
  return new WebhookUrlValidator(webhookTestConfig({ policy, disableWebhooks }), DNS);
}

async function detailOf(promise: Promise<void>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(UnprocessableEntityException);
    return ((error as UnprocessableEntityException).getResponse() as { detail: string }).detail;
  }
}

describe('WebhookUrlValidator', () => {
  describe('with the default policy (loopback and private refused)', () => {
    const sut = validator();

    it.each([
      ['https://hooks.example.com/runs?token=abc', 'a public https host'],
      ['http://hooks.example.com:8080/runs', 'http and any port'],
      ['https://api.example.com/', 'a name whose every address is public'],
      ['https://93.184.215.14/hook', 'a public literal IPv4'],
      ['https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook', 'a public literal IPv6'],
    ])('accepts %s (%s)', async (url) => {
      await expect(sut.assertAllowed(url)).resolves.toBeUndefined();
    });

    it.each([
      ['http://127.0.0.1:9000/hook', /loopback address/],
      ['http://localhost/', /loopback name/],
      ['http://[::1]/', /loopback address/],
      ['http://[::ffff:127.0.0.1]/', /loopback address/],
      ['http://2130706433/', /127\.0\.0\.1 is a loopback address/],
      ['http://10.0.0.1/', /private address/],
      ['http://192.168.1.10/', /private address/],
      ['http://[fd00:ec2::254]/', /private address/],
      ['http://169.254.169.254/latest/meta-data', /link-local or cloud metadata/],
      ['http://[::ffff:169.254.169.254]/', /link-local or cloud metadata/],
      ['http://0.0.0.0/', /reserved/],
      ['http://rebind.example.net/', /rebind\.example\.net resolves to 127\.0\.0\.1 is a loopback address/],
      ['http://internal.example.net/', /resolves to 10\.1\.2\.3 is a private address/],
      ['http://metadata.example.net/', /link-local/],
      ['http://nowhere.invalid/', /could not be resolved \(ENOTFOUND\)/],
      ['/webhooks/local', /must be absolute/],
      ['ftp://hooks.example.com/file', /must use http or https, not ftp/],
      ['https://user:pass@hooks.example.com/', /user name or password/],
      ['not a url', /not a valid absolute URL/],
      ['', /non-empty/],
    ])('refuses %s', async (url, reason) => {
      expect(await detailOf(sut.assertAllowed(url))).toMatch(reason);
    });

    it('never quotes a credential of the URL it refuses', async () => {
      const detail = await detailOf(sut.assertAllowed('http://u:p@[oops/hook?token=s3cret&x=1'));
      expect(detail).toMatch(/not a valid absolute URL/);
      expect(detail).not.toMatch(/s3cret|u:p/);
      expect(detail).toContain('token=REDACTED&x=1');
    });

    it('starts every refusal with "Webhook"', async () => {
      expect(await detailOf(sut.assertAllowed('http://10.0.0.1/'))).toMatch(/^Webhook /);
    });
  });

  describe('with loopback and private targets allowed', () => {
    const sut = validator({ disableLoopback: false, disablePrivateIps: false });

    it.each(['http://127.0.0.1:9000/hook', 'http://localhost/', 'http://10.0.0.1/', 'http://[::ffff:127.0.0.1]/', '/webhooks/local'])(
      'accepts %s',
      async (url) => {
        await expect(sut.assertAllowed(url)).resolves.toBeUndefined();
      },
    );

    it.each(['http://169.254.169.254/', 'http://metadata.example.net/', 'http://[fe80::1]/', 'http://224.0.0.1/'])(
      'still refuses link-local, metadata and reserved %s',
      async (url) => {
        expect(await detailOf(sut.assertAllowed(url))).toMatch(/link-local|reserved/);
      },
    );

    it('allows loopback while still refusing private ranges when only loopback is opened', async () => {
      const loopbackOnly = validator({ disableLoopback: false });
      await expect(loopbackOnly.assertAllowed('http://127.0.0.1/')).resolves.toBeUndefined();
      expect(await detailOf(loopbackOnly.assertAllowed('http://10.0.0.1/'))).toMatch(/private/);
    });
  });

  it('enforces require_https, allowed_domains, allowed_ports and max_url_length', async () => {
    const sut = validator({ requireHttps: true, allowedDomains: ['*.example.com'], allowedPorts: [443, 8443], maxUrlLength: 40 });

    await expect(sut.assertAllowed('https://hooks.example.com/a')).resolves.toBeUndefined();
    await expect(sut.assertAllowed('https://hooks.example.com:8443/a')).resolves.toBeUndefined();
    expect(await detailOf(sut.assertAllowed('http://hooks.example.com/a'))).toMatch(/must use https/);
    expect(await detailOf(sut.assertAllowed('https://example.com/a'))).toMatch(/not in webhooks.url.allowed_domains/);
    expect(await detailOf(sut.assertAllowed('https://hooks.example.com:8080/a'))).toMatch(/port 8080 is not in/);
    expect(await detailOf(sut.assertAllowed(`https://hooks.example.com/${'a'.repeat(40)}`))).toMatch(/longer than 40 characters/);
  });

  it('accepts anything, unchecked, when webhooks are disabled (the field is stored, never sent)', async () => {
    await expect(validator({}, true).assertAllowed('http://169.254.169.254/')).resolves.toBeUndefined();
  });
});

describe('domainAllowed', () => {
  it.each([
    ['hooks.example.com', ['*.example.com'], true],
    ['a.b.example.com', ['*.example.com'], true],
    ['example.com', ['*.example.com'], false],
    ['badexample.com', ['*.example.com'], false],
    ['example.com', ['example.com'], true],
    ['Hooks.Example.COM', ['hooks.example.com'], true],
    ['hooks.example.com', ['example.com'], false],
  ])('%s against %j → %s', (host, allowed, expected) => {
    expect(domainAllowed(host, allowed)).toBe(expected);
  });
});
