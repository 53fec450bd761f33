import 'reflect-metadata';
import { RunCreateStatefulDto } from '@runhook/contracts';
import { plainToInstance, Type } from 'class-transformer';
import { getMetadataStorage, IsInt, IsOptional, IsString, ValidateNested, validateSync, type ValidationError } from 'class-validator';
import { installValidationMetadataCache } from './validation-metadata-cache';

class Base {
  @IsString()
  name!: string;
}

class Inner {
  @IsInt()
  count!: number;
}

class Outer extends Base {
  @IsOptional()
  @IsInt({ groups: ['strict'] })
  level?: number;

  @ValidateNested()
  @Type(() => Inner)
  inner!: Inner;
}

class Late {
  @IsString()
  first!: string;
}

/** The errors as the API turns them into a detail: property paths and constraint names, in order. */
function summary(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    return [...Object.keys(error.constraints ?? {}).map((name) => `${path}:${name}`), ...summary(error.children ?? [], path)];
  });
}

const cases: [string, new () => object, unknown, { groups?: string[] }?][] = [
  ['inherited and nested, valid', Outer, { name: 'a', inner: { count: 1 } }],
  ['inherited and nested, invalid', Outer, { name: 5, level: 'x', inner: { count: 'no' } }],
  ['a group', Outer, { name: 'a', level: 'x', inner: { count: 1 } }, { groups: ['strict'] }],
  ['a run body from the contracts', RunCreateStatefulDto, { assistant_id: 5, stream_mode: ['nope'], after_seconds: -1, config: { tags: 5 } }],
];

function validateAll(): string[][] {
  return cases.map(([, type, body, options]) =>
    summary(validateSync(plainToInstance(type, body) as object, { whitelist: true, forbidUnknownValues: false, ...options })),
  );
}

describe('installValidationMetadataCache', () => {
  const storage = getMetadataStorage();
  const original = storage.getTargetValidationMetadatas.bind(storage);
  const lookups: string[] = [];
  let uncached: string[][];

  beforeAll(() => {
    storage.getTargetValidationMetadatas = (target, ...rest) => {
      lookups.push((target as { name: string }).name);
      return original(target, ...rest);
    };
    uncached = validateAll();
    installValidationMetadataCache(storage);
  });

  beforeEach(() => {
    lookups.length = 0;
  });

  it('gives the same errors as class-validator without it, for inheritance, nesting and groups', () => {
    expect(uncached[1]).toEqual(['level:isInt', 'inner.count:isInt', 'name:isString']);
    expect(uncached[2]).toEqual(['level:isInt']);
    expect(uncached[3].length).toBeGreaterThan(2);
    expect(validateAll()).toEqual(uncached);
    expect(validateAll()).toEqual(uncached);
  });

  it('looks each class up once, however often it is validated', () => {
    class Leaf {
      @IsInt()
      count!: number;
    }
    class Tree extends Base {
      @ValidateNested()
      @Type(() => Leaf)
      leaf!: Leaf;
    }
    for (let round = 0; round < 5; round += 1) expect(validateSync(plainToInstance(Tree, { name: 'a', leaf: { count: round } }))).toEqual([]);
    expect(lookups.filter((name) => name === 'Tree')).toHaveLength(1);
    expect(lookups.filter((name) => name === 'Leaf')).toHaveLength(1);
  });

  it('keeps apart lookups with different group options', () => {
    const body = { name: 'a', level: 'x', inner: { count: 1 } };
    expect(summary(validateSync(plainToInstance(Outer, body), { strictGroups: true }))).toEqual([]);
    expect(summary(validateSync(plainToInstance(Outer, body), { groups: ['strict'] }))).toEqual(['level:isInt']);
    expect(summary(validateSync(plainToInstance(Outer, body)))).toEqual(['level:isInt']);
    expect(summary(validateSync(plainToInstance(Outer, body), { strictGroups: true }))).toEqual([]);
  });

  it('honours a decorator registered after a class was looked up', () => {
    expect(summary(validateSync(plainToInstance(Late, { first: 'a', second: 'b' })))).toEqual([]);
    IsInt()(Late.prototype, 'second');
    expect(summary(validateSync(plainToInstance(Late, { first: 'a', second: 'b' })))).toEqual(['second:isInt']);
  });

  it('answers with frozen metadata, so no caller can change what later validations see', () => {
    const metadatas = storage.getTargetValidationMetadatas(Outer, '', false, false);
    expect(Object.isFrozen(metadatas)).toBe(true);
    expect(() => (metadatas as unknown[]).push({})).toThrow(TypeError);
    expect(Object.isFrozen(storage.groupByPropertyName(metadatas)['name'])).toBe(true);
  });

  it('installs once per storage', () => {
    const wrapped = storage.getTargetValidationMetadatas;
    installValidationMetadataCache(storage);
    expect(storage.getTargetValidationMetadatas).toBe(wrapped);
  });
});
