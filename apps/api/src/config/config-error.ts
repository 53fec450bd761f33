/** A bad setting: the server refuses to start and says which one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
