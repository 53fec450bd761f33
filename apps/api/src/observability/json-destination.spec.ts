import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { createRootLogger, jsonDestination, LOG_BUFFER_BYTES, LOG_FLUSH_MS } from './pino-logger';

type Destination = ReturnType<typeof jsonDestination> & EventEmitter & { flushSync(): void; destroy(): void };

describe('jsonDestination', () => {
  let fd: number;
  let path: string;
  let destination: Destination;

  beforeEach(() => {
    // The flush timer is faked; file writes and their callbacks are real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    path = join(mkdtempSync(join(tmpdir(), 'runhook-log-')), 'out.log');
    fd = openSync(path, 'a');
    destination = jsonDestination(fd) as Destination;
  });

  afterEach(async () => {
    // Closes the descriptor too.
    const closed = once(destination, 'close');
    destination.destroy();
    await closed;
    jest.useRealTimers();
  });

  const written = (): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean);

  it('gathers a few lines and writes them together once the flush interval ends', async () => {
    const logger = createRootLogger({ level: 'info', format: 'json' }, destination);
    logger.info({ msg: 'first' });
    logger.info({ msg: 'second' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toEqual([]);

    const wrote = once(destination, 'write');
    jest.advanceTimersByTime(LOG_FLUSH_MS);
    await wrote;
    expect(written().map((line) => JSON.parse(line).msg)).toEqual(['first', 'second']);
  });

  it('writes at once when the lines gathered pass the buffer size, without waiting for the timer', async () => {
    const logger = createRootLogger({ level: 'info', format: 'json' }, destination);
    const wrote = once(destination, 'write');
    const filler = 'x'.repeat(512);
    for (let i = 0; i * 512 <= LOG_BUFFER_BYTES; i += 1) logger.info({ msg: `line ${i}`, filler });
    await wrote;
    expect(written().length).toBeGreaterThan(LOG_BUFFER_BYTES / 600);
  });

  it('writes what is left when flushed synchronously, as pino does at exit', () => {
    const logger = createRootLogger({ level: 'info', format: 'json' }, destination);
    logger.warn({ msg: 'last words' });
    destination.flushSync();
    expect(written().map((line) => JSON.parse(line).msg)).toEqual(['last words']);
  });
});
