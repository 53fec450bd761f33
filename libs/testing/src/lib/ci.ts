/**
 * True when the tests run in CI: `CI` set to any value (`true`, `1`, `yes`, even empty), as CI services set it.
 * Suites that need outside services (PostgreSQL) fail in CI when they are missing instead of skipping.
 */
export function inCi(env: Record<string, string | undefined> = process.env): boolean {
  return env['CI'] !== undefined;
}
