import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export type ContractValidation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const EACH_PREFIX = 'each value in ';

/** Puts the full path where class-validator wrote the bare property name. */
function withPath(message: string, property: string, path: string): string {
  const start = message.startsWith(EACH_PREFIX) ? EACH_PREFIX.length : 0;
  return message.startsWith(property, start)
    ? `${message.slice(0, start)}${path}${message.slice(start + property.length)}`
    : `${path}: ${message}`;
}

/**
 * One message per failed rule, each naming the field path
 * (`status must be one of ...`, `error.message must be a string`).
 */
export function formatValidationErrors(errors: ValidationError[], parentPath = ''): string[] {
  return errors.flatMap((error) => {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => withPath(message, error.property, path));
    return [...own, ...formatValidationErrors(error.children ?? [], path)];
  });
}

/**
 * Validates a parsed JSON body against a DTO class the way the api's ValidationPipe does
 * (transform, strip unknown fields, never reject them), for services without Nest.
 */
export function validateContract<T extends object>(
  dto: new () => T,
  body: unknown,
): ContractValidation<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: ['body must be a JSON object'] };
  }
  const value = plainToInstance(dto, body);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: false });
  return errors.length ? { ok: false, errors: formatValidationErrors(errors) } : { ok: true, value };
}
