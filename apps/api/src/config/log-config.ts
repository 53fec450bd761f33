import { ConfigError } from './config-error';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogSettings {
  /** LOG_LEVEL: the least severe level written. */
  level: LogLevel;
  /** LOG_FORMAT: one JSON object per line, or coloured lines for a person at a terminal. */
  format: 'json' | 'pretty';
}

/** LOG_LEVEL (default info) and LOG_FORMAT (default pretty on a terminal, json otherwise: files, pipes, collectors). */
export function parseLogSettings(env: Record<string, string | undefined>, stdoutIsTty: boolean): LogSettings {
  const level = (env['LOG_LEVEL'] || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env['LOG_LEVEL']}"`);
  }
  const format = (env['LOG_FORMAT'] || (stdoutIsTty ? 'pretty' : 'json')).toLowerCase();
  if (format !== 'json' && format !== 'pretty') throw new ConfigError(`LOG_FORMAT must be "json" or "pretty", got "${env['LOG_FORMAT']}"`);
  return { level: level as LogLevel, format };
}
