import { IsString, ValidateNested, type ValidationError } from 'class-validator';
import { Type } from 'class-transformer';
import { IsFieldSelection, IsLimit, IsOffset } from './field.decorator';
import { formatValidationErrors, validateContract } from './contract-validation.util';

class LeafDto {
  @IsString()
  name!: string;
}

class PageDto {
  @IsLimit()
  limit?: number;

  @IsOffset()
  offset?: number;

  @IsFieldSelection()
  select?: string[];
}

class TreeDto {
  @ValidateNested({ each: true })
  @Type(() => LeafDto)
  leaves!: LeafDto[];
}

describe('validateContract', () => {
  it('rejects a body that is not a JSON object', () => {
    for (const body of [null, 'text', 3, [{ name: 'x' }]]) {
      expect(validateContract(LeafDto, body)).toEqual({ ok: false, errors: ['body must be a JSON object'] });
    }
  });

  it('returns a class instance without the unknown fields', () => {
    const sut = validateContract(LeafDto, { name: 'a', extra: true });

    expect(sut).toEqual({ ok: true, value: { name: 'a' } });
    expect(sut.ok && sut.value).toBeInstanceOf(LeafDto);
  });

  it('does not add keys the body did not have', () => {
    const sut = validateContract(PageDto, {});

    expect(sut.ok && Object.keys(sut.value)).toEqual([]);
  });

  it('names the full path of a nested error', () => {
    const sut = validateContract(TreeDto, { leaves: [{ name: 'ok' }, { name: 2 }] });

    expect(sut).toEqual({ ok: false, errors: ['leaves.1.name must be a string'] });
  });

  it('reads limit and offset from query text but not from other types', () => {
    expect(validateContract(PageDto, { limit: '25', offset: '0' })).toEqual({ ok: true, value: { limit: 25, offset: 0 } });
    expect(validateContract(PageDto, { limit: true }).ok).toBe(false);
    expect(validateContract(PageDto, { limit: 'ten' }).ok).toBe(false);
  });

  it('keeps limit within 1..1000 and offset at 0 or more', () => {
    expect(validateContract(PageDto, { limit: 1000 }).ok).toBe(true);
    for (const body of [{ limit: 0 }, { limit: 1001 }, { limit: 2.5 }, { offset: -1 }]) {
      expect(validateContract(PageDto, body).ok).toBe(false);
    }
  });

  it('requires select to be a list of names', () => {
    expect(validateContract(PageDto, { select: ['a', 'b'] }).ok).toBe(true);
    expect(validateContract(PageDto, { select: 'a' })).toEqual({ ok: false, errors: ['select must be an array'] });
  });
});

describe('formatValidationErrors', () => {
  it('puts the path after an "each value in" prefix and before a custom message', () => {
    const errors: ValidationError[] = [
      { property: 'ids', constraints: { isUuid: 'each value in ids must be a UUID' }, children: [] },
      { property: 'x', constraints: { custom: 'is odd' }, children: [] },
    ];

    expect(formatValidationErrors(errors, 'body')).toEqual(['each value in body.ids must be a UUID', 'body.x: is odd']);
  });
});
