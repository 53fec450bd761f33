import { tokensMatch } from './token';

describe('tokensMatch', () => {
  it.each([
    ['identical tokens', 's3cret-token', 's3cret-token', true],
    ['a different token', 's3cret-token', 's3cret-tokem', false],
    ['a prefix', 's3cret-token', 's3cret', false],
    ['a longer token', 's3cret-token', 's3cret-token-and-more', false],
    ['a missing token', 's3cret-token', undefined, false],
    ['an empty token', 's3cret-token', '', false],
    ['an empty expected token', '', '', false],
    ['unicode', 'jeton-été', 'jeton-été', true],
  ])('%s', (_label, expected, actual, matches) => {
    expect(tokensMatch(expected, actual)).toBe(matches);
  });
});
