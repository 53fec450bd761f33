import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Min,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { IsLimit, IsOffset } from '../common/field.decorator';

/** Why a namespace is refused, or null: labels are joined with `.` on the wire, so no label may hold one. */
export function namespaceProblem(value: unknown, allowEmpty: boolean): string | null {
  if (!Array.isArray(value)) return 'must be an array of strings';
  if (!allowEmpty && value.length === 0) return 'must have at least one label';
  for (const label of value) {
    if (typeof label !== 'string') return 'must be an array of strings';
    if (label === '' || label.includes('.')) return `labels cannot be empty or contain periods ('.'), got "${label}"`;
  }
  return null;
}

/** A namespace: a list of labels; `allowEmpty` for prefixes, where [] means every namespace. */
function IsNamespace(allowEmpty = false): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNamespace',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => namespaceProblem(value, allowEmpty) === null,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${namespaceProblem(args.value, allowEmpty)}`,
      },
    });
}

/** `index` of a put: false (not embedded), a list of JSON paths, or null/absent (the configured fields). */
function IsIndexFields(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIndexFields',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) =>
          value === undefined || value === null || value === false ||
          (Array.isArray(value) && value.every((field) => typeof field === 'string' && field.length > 0)),
        defaultMessage: (args: ValidationArguments) => `${args.property} must be false, null or a list of field paths`,
      },
    });
}

/** Query text `true`/`false`/`1`/`0` as a boolean; anything else is left for IsBoolean to refuse. */
const BooleanFromText = Transform(({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const lower = value.toLowerCase();
  if (['true', '1', 'yes'].includes(lower)) return true;
  if (['false', '0', 'no'].includes(lower)) return false;
  return value;
});

const isPresent = (_object: object, value: unknown) => value !== null && value !== undefined;

/** Body of `PUT /store/items`. */
export class PutStoreItemDto {
  @IsNamespace()
  namespace!: string[];

  @IsString()
  @IsNotEmpty()
  key!: string;

  @IsObject()
  value!: Record<string, unknown>;

  @IsIndexFields()
  index?: false | string[] | null;

  /** Minutes; null: never expires; absent: the configured default. */
  @ValidateIf(isPresent)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  ttl?: number | null;
}

/** Query of `GET /store/items`: the namespace joined with `.`. */
export class GetStoreItemQueryDto {
  @IsString()
  @IsOptional()
  namespace?: string;

  @IsString()
  @IsNotEmpty()
  key!: string;

  @IsOptional()
  @BooleanFromText
  @IsBoolean()
  refresh_ttl?: boolean;
}

/** Body of `DELETE /store/items`. */
export class DeleteStoreItemDto {
  @IsOptional()
  @IsNamespace(true)
  namespace?: string[];

  @IsString()
  @IsNotEmpty()
  key!: string;
}

/** Body of `POST /store/items/search`. */
export class SearchStoreItemsDto {
  @IsOptional()
  @IsNamespace(true)
  namespace_prefix?: string[];

  /** Field → value (equality) or `{$eq|$ne|$gt|$gte|$lt|$lte: value}`. */
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;

  @IsLimit()
  limit?: number;

  @IsOffset()
  offset?: number;

  @IsOptional()
  @IsString()
  query?: string;

  @ValidateIf(isPresent)
  @IsBoolean()
  refresh_ttl?: boolean | null;
}

/** Body of `POST /store/namespaces`. `*` in a prefix or suffix matches any one label. */
export class ListStoreNamespacesDto {
  @IsOptional()
  @IsNamespace(true)
  prefix?: string[];

  @IsOptional()
  @IsNamespace(true)
  suffix?: string[];

  @IsOptional()
  @IsInt()
  @Min(1)
  max_depth?: number;

  @IsLimit()
  limit?: number;

  @IsOffset()
  offset?: number;
}
