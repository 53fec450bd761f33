import { validateContract } from '../common/contract-validation.util';
import { WebhookPayloadDto } from './webhook-payload.dto';

export type WebhookPayloadValidation =
  | { ok: true; payload: WebhookPayloadDto }
  | { ok: false; errors: string[] };

/**
 * Checks a parsed webhook body (after its signature was verified) in one call. Unknown fields are
 * dropped; each error names its field, e.g. `status must be one of the following values: ...`.
 */
export function validateWebhookPayload(body: unknown): WebhookPayloadValidation {
  const result = validateContract(WebhookPayloadDto, body);
  return result.ok ? { ok: true, payload: result.value } : result;
}
