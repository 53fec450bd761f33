import { jsonContains } from '../common/json';
import { type AuthFilters, filtersAsContainment, matchesFilters, narrowMetadata } from './auth-filters';

describe('matchesFilters', () => {
  it('lets everything through without filters', () => {
    expect(matchesFilters({ owner: 'alice' }, null)).toBe(true);
    expect(matchesFilters(undefined, {})).toBe(true);
  });

  it('compares a plain value or $eq for equality', () => {
    expect(matchesFilters({ owner: 'alice' }, { owner: 'alice' })).toBe(true);
    expect(matchesFilters({ owner: 'bob' }, { owner: 'alice' })).toBe(false);
    expect(matchesFilters({}, { owner: 'alice' })).toBe(false);
    expect(matchesFilters({ owner: 'alice' }, { owner: { $eq: 'alice' } })).toBe(true);
    expect(matchesFilters({ owner: 'bob' }, { owner: { $eq: 'alice' } })).toBe(false);
  });

  it('needs a list holding the item (or every item) for $contains', () => {
    expect(matchesFilters({ namespace: ['alice', 'notes'] }, { namespace: { $contains: 'alice' } })).toBe(true);
    expect(matchesFilters({ namespace: ['bob'] }, { namespace: { $contains: 'alice' } })).toBe(false);
    expect(matchesFilters({ namespace: 'alice' }, { namespace: { $contains: 'alice' } })).toBe(false);
    expect(matchesFilters({ tags: ['a', 'b', 'c'] }, { tags: { $contains: ['a', 'c'] } })).toBe(true);
    expect(matchesFilters({ tags: ['a'] }, { tags: { $contains: ['a', 'c'] } })).toBe(false);
  });

  it('needs every key to match', () => {
    const filters: AuthFilters = { owner: 'alice', team: { $eq: 'red' } };
    expect(matchesFilters({ owner: 'alice', team: 'red' }, filters)).toBe(true);
    expect(matchesFilters({ owner: 'alice', team: 'blue' }, filters)).toBe(false);
  });
});

describe('filtersAsContainment', () => {
  const cases: Array<[AuthFilters, Record<string, unknown>]> = [
    [{ owner: 'alice' }, { owner: 'alice' }],
    [{ owner: { $eq: 'alice' } }, { owner: 'alice' }],
    [{ namespace: { $contains: 'alice' } }, { namespace: ['alice'] }],
    [{ tags: { $contains: ['a', 'b'] } }, { tags: ['a', 'b'] }],
  ];

  it.each(cases)('expresses %j as the containment %j', (filters, document) => {
    expect(filtersAsContainment(filters)).toEqual(document);
  });

  it('selects in the repositories exactly what matchesFilters accepts', () => {
    const rows = [{ owner: 'alice', tags: ['a', 'b'] }, { owner: 'bob', tags: ['a'] }, { owner: 'alice' }, { tags: ['b'] }];
    const filters: AuthFilters = { owner: 'alice', tags: { $contains: 'b' } };
    const document = filtersAsContainment(filters);
    expect(rows.filter((row) => jsonContains(row, document))).toEqual(rows.filter((row) => matchesFilters(row, filters)));
  });
});

describe('narrowMetadata', () => {
  it('keeps the request as it is without filters', () => {
    expect(narrowMetadata({ topic: 'x' }, null)).toEqual({ topic: 'x' });
    expect(narrowMetadata(undefined, null)).toBeUndefined();
  });

  it('adds the filters to the requested metadata', () => {
    expect(narrowMetadata({ topic: 'x' }, { owner: 'alice' })).toEqual({ topic: 'x', owner: 'alice' });
    expect(narrowMetadata({ owner: 'alice' }, { owner: 'alice' })).toEqual({ owner: 'alice' });
    expect(narrowMetadata({ tags: ['a'] }, { tags: { $contains: 'b' } })).toEqual({ tags: ['a', 'b'] });
  });

  it('answers null when no metadata can satisfy both, so another owner is never searched', () => {
    expect(narrowMetadata({ owner: 'bob' }, { owner: 'alice' })).toBeNull();
  });
});
