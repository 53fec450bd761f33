import { nestsDeeperThan } from './body-parsing';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { key: value };
  return value;
};

describe('nestsDeeperThan', () => {
  it('counts arrays and objects as levels, scalars as none', () => {
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan(nested(3), 3)).toBe(false);
    expect(nestsDeeperThan(nested(4), 3)).toBe(true);
  });

  it('finds a deep branch beside shallow ones', () => {
    expect(nestsDeeperThan({ a: 1, b: [1, 2], c: { d: nested(10) } }, 12)).toBe(false);
    expect(nestsDeeperThan({ a: 1, b: [1, 2], c: { d: nested(10) } }, 11)).toBe(true);
  });

  it('walks a body far deeper than the stack allows without overflowing', () => {
    expect(nestsDeeperThan(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)), 256)).toBe(true);
  });
});
