export { parseSigningSecret, parseSigningSecrets } from './lib/signing-secret';
export { signPayload, buildWebhookHeaders, verifySignature } from './lib/signature';
export type {
  BuildWebhookHeadersInput,
  SignPayloadInput,
  SignatureVerificationFailure,
  SignatureVerificationResult,
  VerifySignatureInput,
  WebhookHeaderMap,
} from './lib/signature';
export { tokensMatch } from './lib/token';
export {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  OVERLOAD_PENALTY_SECONDS,
  RETRY_JITTER_FRACTION,
  nextRetryDelayMs,
  parseRetryAfter,
  parseRetrySchedule,
} from './lib/retry-schedule';
export type { NextRetryDelayInput } from './lib/retry-schedule';
export { classifyAddress, isPublicAddress } from './lib/address-classification';
export type { AddressClass } from './lib/address-classification';
export { REDACTED, redactCredentials, redactCredentialsOrNull } from './lib/redact-credentials';
