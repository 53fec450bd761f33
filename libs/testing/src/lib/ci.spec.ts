import { inCi } from './ci';

describe('inCi', () => {
  it.each([['true'], ['1'], ['yes'], ['false'], ['']])('is true with CI=%j', (value) => {
    expect(inCi({ CI: value })).toBe(true);
  });

  it('is false without CI', () => {
    expect(inCi({})).toBe(false);
  });
});
