import { ConfigError } from './config-error';
import { parseLogSettings } from './log-config';

describe('parseLogSettings', () => {
  it('defaults to info, pretty on a terminal and JSON elsewhere', () => {
    expect(parseLogSettings({}, true)).toEqual({ level: 'info', format: 'pretty' });
    expect(parseLogSettings({}, false)).toEqual({ level: 'info', format: 'json' });
  });

  it('takes every pino level and either format, in any case', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) expect(parseLogSettings({ LOG_LEVEL: level.toUpperCase() }, false).level).toBe(level);
    expect(parseLogSettings({ LOG_FORMAT: 'JSON' }, true).format).toBe('json');
    expect(parseLogSettings({ LOG_FORMAT: 'pretty' }, false).format).toBe('pretty');
  });

  it('refuses other values, naming the variable', () => {
    expect(() => parseLogSettings({ LOG_LEVEL: 'verbose' }, false)).toThrow(new ConfigError('LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, got "verbose"'));
    expect(() => parseLogSettings({ LOG_FORMAT: 'xml' }, false)).toThrow(/^LOG_FORMAT must be "json" or "pretty", got "xml"$/);
  });
});
