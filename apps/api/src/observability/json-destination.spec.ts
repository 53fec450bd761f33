import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { createRootLogger, jsonDestination } from './pino-logger';

type Destination = ReturnType<typeof jsonDestination> & EventEmitter & { flushSync(): void; destroy(): void };

describe('jsonDestination', () => {
  let fd: number;
  let path: string;
  let destination: Destination;

  beforeEach(() => {
    // Timers are faked so that a line which waited for a flush interval would never arrive; file writes are real.
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

  it('writes a line straight away, without waiting for a timer or a full buffer', async () => {
    const logger = createRootLogger({ level: 'info', format: 'json' }, destination);
    const wrote = once(destination, 'write');
    logger.info({ msg: 'started' });
    await wrote;
    expect(written().map((line) => JSON.parse(line).msg)).toEqual(['started']);
  });

  it('keeps every line, in order, when many are logged while a write is still in flight', async () => {
    const logger = createRootLogger({ level: 'info', format: 'json' }, destination);
    for (let i = 0; i < 200; i += 1) logger.info({ msg: `line ${i}` });
    // Nothing runs between the check and attaching the listener, so the last write cannot slip past.
    while (written().length < 200) await once(destination, 'write');
    expect(written().map((line) => JSON.parse(line).msg)).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i}`));
  });

  it('writes the lines queued behind a write in flight when flushed synchronously, as pino does at exit', () => {
    const logger = createRootLogger({ level: 'info', format: 'json' }, destination);
    logger.info({ msg: 'in flight' });
    logger.warn({ msg: 'last words' });
    destination.flushSync();
    expect(written().map((line) => JSON.parse(line).msg)).toContain('last words');
  });
});
