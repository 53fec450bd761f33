import { HttpStatus, ParseArrayPipe, type Type, UnprocessableEntityException, ValidationError, ValidationPipe } from '@nestjs/common';
import { installValidationMetadataCache } from './validation-metadata-cache';

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? `${path}${message.slice(error.property.length)}` : `${path}: ${message}`,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** 422 with a detail naming each offending field; unknown fields are dropped, not refused. */
export function createValidationPipe(): ValidationPipe {
  installValidationMetadataCache();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    errorHttpStatusCode: HttpStatus.UNPROCESSABLE_ENTITY,
    exceptionFactory: (errors) => new UnprocessableEntityException({ detail: flatten(errors).join('; ') }),
  });
}

/** A JSON array body whose items are validated like single bodies: 422 naming the field, as everywhere. */
export function createArrayValidationPipe(items: Type<unknown>): ParseArrayPipe {
  installValidationMetadataCache();
  return new ParseArrayPipe({
    items,
    whitelist: true,
    forbidNonWhitelisted: false,
    errorHttpStatusCode: HttpStatus.UNPROCESSABLE_ENTITY,
    exceptionFactory: (errors: unknown) => {
      const detail = Array.isArray(errors)
        ? errors.map((error) => (typeof error === 'string' ? error : flatten([error as ValidationError]).join('; '))).join('; ')
        : String(errors);
      return new UnprocessableEntityException({ detail: detail.replace('Validation failed (parsable array expected)', 'body must be a JSON array') });
    },
  });
}

export function unprocessable(detail: string): UnprocessableEntityException {
  return new UnprocessableEntityException({ detail });
}
