import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a shared token (e.g. a `?token=` query value) in constant time. Both sides are hashed first so that
 * neither the content nor the length of the expected token leaks through timing. An empty expected token never
 * matches, so a blank configuration cannot open the door.
 */
export function tokensMatch(expected: string, actual: string | undefined): boolean {
  const expectedDigest = createHash('sha256').update(expected, 'utf8').digest();
  const actualDigest = createHash('sha256')
    .update(actual ?? '', 'utf8')
    .digest();
  const digestsEqual = timingSafeEqual(expectedDigest, actualDigest);
  return digestsEqual && expected !== '' && actual !== undefined;
}
