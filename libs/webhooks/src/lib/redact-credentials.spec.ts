import { redactCredentials, redactCredentialsOrNull } from './redact-credentials';

describe('redactCredentials', () => {
  it.each([
    ['https://example.com/hook?token=s3cret', 'https://example.com/hook?token=REDACTED'],
    ['https://example.com/hook?a=1&token=s3cret&b=2', 'https://example.com/hook?a=1&token=REDACTED&b=2'],
    ['https://example.com/hook?TOKEN=s3cret#frag', 'https://example.com/hook?TOKEN=REDACTED#frag'],
    ['https://example.com/?key=k&secret=s&password=p', 'https://example.com/?key=REDACTED&secret=REDACTED&password=REDACTED'],
    ['https://example.com/?signature=x&sig=y&api_key=z', 'https://example.com/?signature=REDACTED&sig=REDACTED&api_key=REDACTED'],
    ['https://example.com/?access_token=x&auth=y', 'https://example.com/?access_token=REDACTED&auth=REDACTED'],
    ['https://example.com/?client_secret=x&x-api-key=y&auth_token=z', 'https://example.com/?client_secret=REDACTED&x-api-key=REDACTED&auth_token=REDACTED'],
    ['https://user:pass@example.com/hook', 'https://REDACTED@example.com/hook'],
    ['https://tokenonly@example.com/hook?token=t', 'https://REDACTED@example.com/hook?token=REDACTED'],
    ['/relative/hook?token=abc', '/relative/hook?token=REDACTED'],
    ['http://exa mple.com/?token=abc', 'http://exa mple.com/?token=REDACTED'],
  ])('%s → %s', (input, expected) => {
    expect(redactCredentials(input)).toBe(expected);
  });

  it('leaves other parameters and URLs without credentials untouched', () => {
    for (const url of ['https://example.com/hook?run=1&monkey=2&tokens=3', 'https://example.com/a@b/c', 'no url here', '']) {
      expect(redactCredentials(url)).toBe(url);
    }
  });

  it('redacts every URL inside a log line or error message', () => {
    const line = 'delivery to https://a.example/?token=one failed; "Webhook URL is not valid: http://u:p@[bad/?sig=two"';
    expect(redactCredentials(line)).toBe('delivery to https://a.example/?token=REDACTED failed; "Webhook URL is not valid: http://REDACTED@[bad/?sig=REDACTED"');
  });

  it('passes null through', () => {
    expect(redactCredentialsOrNull(null)).toBeNull();
    expect(redactCredentialsOrNull('https://e.example/?token=x')).toBe('https://e.example/?token=REDACTED');
  });
});
