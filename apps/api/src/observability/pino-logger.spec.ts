import { Logger } from '@nestjs/common';
import { createRootLogger, PinoLoggerService } from './pino-logger';
import { captureLog } from './testing/log-capture';

describe('PinoLoggerService', () => {
  afterEach(() => Logger.overrideLogger(['log', 'warn', 'error']));

  function serviceAt(level: 'trace' | 'info' | 'warn') {
    const sink = captureLog();
    const service = new PinoLoggerService(createRootLogger({ level, format: 'json' }, sink.stream));
    Logger.overrideLogger(service);
    return { service, lines: sink.lines, text: sink.text };
  }

  it('writes what `new Logger(context)` logs as JSON lines with level names, the context and the pid', () => {
    const { lines } = serviceAt('info');
    new Logger('RunWorker').log('claimed 3 runs');
    new Logger('RunWorker').warn('lease lost');
    new Logger('RunWorker').error('could not end', 'Error: boom\n    at x');

    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', context: 'RunWorker', msg: 'claimed 3 runs', pid: process.pid, time: expect.any(String) }),
      expect.objectContaining({ level: 'warn', context: 'RunWorker', msg: 'lease lost' }),
      expect.objectContaining({ level: 'error', context: 'RunWorker', msg: 'could not end', stack: 'Error: boom\n    at x' }),
    ]);
  });

  it('turns an object message into fields of the line (the ids of run, delivery and firing events)', () => {
    const { lines } = serviceAt('info');
    new Logger('RunExecutor').log({ msg: 'run ended', run_id: 'r1', thread_id: 't1', status: 'success' });
    expect(lines()).toEqual([expect.objectContaining({ msg: 'run ended', run_id: 'r1', thread_id: 't1', status: 'success', context: 'RunExecutor' })]);
  });

  it('writes each field once: the logger\'s context, or the one a message names itself, in the same order as before', () => {
    const { lines, text } = serviceAt('info');
    new Logger('RunExecutor').log({ msg: 'run ended', run_id: 'r1' });
    new Logger('RunExecutor').log({ msg: 'moved', context: 'Elsewhere', run_id: 'r2' });
    new Logger('RunExecutor').error('could not end', 'Error: boom', 'RunExecutor');
    const raw = text().split('\n').filter(Boolean);
    expect(raw.map((line) => line.match(/"context":/g)?.length)).toEqual([1, 1, 1]);
    expect(raw[0]).toMatch(/^\{"level":"info","time":"[^"]+","pid":\d+,"context":"RunExecutor","run_id":"r1","msg":"run ended"\}$/);
    expect(lines().map((line) => line['context'])).toEqual(['RunExecutor', 'Elsewhere', 'RunExecutor']);
    expect(lines()[2]).toMatchObject({ stack: 'Error: boom', msg: 'could not end' });
  });

  it('keeps below-level lines out, and sends Nest start-up chatter and verbose to debug and trace', () => {
    const { lines } = serviceAt('info');
    new Logger('RouterExplorer').log('Mapped {/ok, GET} route');
    new Logger('X').debug('detail');
    new Logger('X').verbose('more detail');
    expect(lines()).toEqual([]);

    const traced = serviceAt('trace');
    new Logger('RouterExplorer').log('Mapped {/ok, GET} route');
    new Logger('X').verbose('more detail');
    expect(traced.lines().map((line) => line['level'])).toEqual(['debug', 'trace']);
  });

  it('redacts tokens in messages and stacks, and secret headers in fields', () => {
    const { service, lines } = serviceAt('info');
    new Logger('Webhooks').warn('delivery to https://hooks.example.com/in?token=s3cret-token&x=1 failed');
    new Logger('Webhooks').error('crashed', 'Error: GET https://u:p4ss@example.com/?api_key=k3y failed');
    service.pino.info({ headers: { authorization: 'Bearer abc', 'x-api-key': 'key-123', cookie: 'sid=1', accept: '*/*' } }, 'request');

    const text = JSON.stringify(lines());
    for (const secret of ['s3cret-token', 'p4ss', 'k3y', 'Bearer abc', 'key-123', 'sid=1']) expect(text).not.toContain(secret);
    expect(lines()[0]?.['msg']).toBe('delivery to https://hooks.example.com/in?token=REDACTED&x=1 failed');
    expect(lines()[2]?.['headers']).toEqual({ authorization: 'REDACTED', 'x-api-key': 'REDACTED', cookie: 'REDACTED', accept: '*/*' });
  });

  it('logs an Error message with its stack under err', () => {
    const { lines } = serviceAt('warn');
    new Logger('X').error(new Error('disk full'));
    expect(lines()).toEqual([expect.objectContaining({ level: 'error', msg: 'disk full', err: expect.objectContaining({ message: 'disk full', type: 'Error' }) })]);
  });
});
