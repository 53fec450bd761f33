import { jsonContains, parseBooleanFlag, selectFields } from './json';

describe('jsonContains', () => {
  it('matches nested objects by containment', () => {
    expect(jsonContains({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } })).toBe(true);
    expect(jsonContains({ a: 1 }, { a: 2 })).toBe(false);
    expect(jsonContains({ a: 1 }, { missing: 1 })).toBe(false);
  });

  it('matches arrays when every filter item is present', () => {
    expect(jsonContains({ tags: ['x', 'y'] }, { tags: ['y'] })).toBe(true);
    expect(jsonContains({ tags: ['x'] }, { tags: ['z'] })).toBe(false);
  });
});

describe('parseBooleanFlag', () => {
  it('reads the SDK query flags', () => {
    expect(parseBooleanFlag('1')).toBe(true);
    expect(parseBooleanFlag('TRUE')).toBe(true);
    expect(parseBooleanFlag('0')).toBe(false);
    expect(parseBooleanFlag(undefined)).toBe(false);
  });
});

describe('selectFields', () => {
  it('keeps only selected fields', () => {
    expect(selectFields({ a: 1, b: 2 }, ['a'])).toEqual({ a: 1 });
    expect(selectFields({ a: 1, b: 2 }, undefined)).toEqual({ a: 1, b: 2 });
  });
});
