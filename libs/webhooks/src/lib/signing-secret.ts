const SECRET_PREFIX = 'whsec_';
// Standard base64 with optional padding: the alphabet the spec and the `standardwebhooks` package use.
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes one Standard Webhooks signing secret (`whsec_<base64>`, or bare base64) into its key bytes.
 * Error messages never repeat the secret itself, so they are safe to log.
 */
export function parseSigningSecret(secret: string): Buffer {
  const trimmed = secret.trim();
  if (trimmed === '') {
    throw new Error('signing secret is empty');
  }
  const encoded = trimmed.startsWith(SECRET_PREFIX) ? trimmed.slice(SECRET_PREFIX.length) : trimmed;
  if (encoded === '') {
    throw new Error(`signing secret has no key after the "${SECRET_PREFIX}" prefix`);
  }
  if (!BASE64_PATTERN.test(encoded) || encoded.length % 4 === 1) {
    throw new Error(`signing secret is not "${SECRET_PREFIX}" followed by standard base64`);
  }
  const key = Buffer.from(encoded, 'base64');
  // Buffer.from silently drops what it cannot decode; a round trip proves every character was used.
  if (key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    throw new Error(`signing secret is not "${SECRET_PREFIX}" followed by standard base64`);
  }
  return key;
}

/**
 * Decodes a whitespace-separated list of signing secrets (several at once during a rotation).
 * A blank list gives no secrets; the caller decides whether that means "do not sign".
 */
export function parseSigningSecrets(list: string): Buffer[] {
  const entries = list.split(/\s+/).filter((entry) => entry !== '');
  return entries.map((entry, index) => {
    try {
      return parseSigningSecret(entry);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`signing secret #${index + 1} of ${entries.length}: ${reason}`);
    }
  });
}
