/** What replaces a credential; the shape of the URL around it is kept so a reader still sees which URL it was. */
export const REDACTED = 'REDACTED';

// Query parameters that carry credentials: these names, alone or as the last part of a longer name
// (`client_secret`, `x-api-key`, `auth_token`), in any case.
const CREDENTIAL_PARAM = /([?&;](?:[\w.~%-]*?[_.-])?(?:token|key|secret|password|passwd|pwd|signature|sig|apikey|api_key|access_token|auth)=)[^&#\s"'<>]*/gi;
// `scheme://user:pass@host` or `scheme://token@host`: everything between `//` and `@` in the authority.
const USERINFO = /(\b[a-z][a-z\d+.-]*:\/\/)[^/?#@\s"'<>]*@/gi;

/**
 * Hides credentials in a URL or in any text that contains URLs (a log line, an error message): the values of
 * credential query parameters become `REDACTED`, and so does the userinfo part of an authority. Only the text
 * shown is changed: callers keep the real URL for sending. Pure; safe on text that holds no URL.
 */
export function redactCredentials(text: string): string {
  if (!text.includes('=') && !text.includes('@')) return text;
  return text.replace(USERINFO, `$1${REDACTED}@`).replace(CREDENTIAL_PARAM, `$1${REDACTED}`);
}

/** `redactCredentials` for values that may be absent. */
export function redactCredentialsOrNull(text: string | null): string | null {
  return text === null ? null : redactCredentials(text);
}
