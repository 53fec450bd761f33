import { Transform } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 1000;
/** Largest page offset; far past any real table, and inside what both databases take as an integer. */
export const MAX_OFFSET = 2_147_483_647;

/** Applies several property decorators as one, in the order given. */
export function composeDecorators(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyKey) => {
    for (const decorator of decorators) decorator(target, propertyKey);
  };
}

/**
 * Query strings carry numbers as text; numeric text becomes a number, anything else is left
 * for the validators to reject (so `true` or `"ten"` never turn into a page size).
 */
const NumberFromText = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value,
);

/** Optional page size, 1..1000, as a JSON number or query text. */
export function IsLimit(): PropertyDecorator {
  return composeDecorators(IsOptional(), NumberFromText, IsInt(), Min(1), Max(MAX_PAGE_SIZE));
}

/** Optional page offset, >= 0, as a JSON number or query text. */
export function IsOffset(): PropertyDecorator {
  return composeDecorators(IsOptional(), NumberFromText, IsInt(), Min(0), Max(MAX_OFFSET));
}

/** Optional list of field names to return. */
export function IsFieldSelection(): PropertyDecorator {
  return composeDecorators(IsOptional(), IsArray(), IsString({ each: true }));
}
