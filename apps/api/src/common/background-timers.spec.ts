import { Logger } from '@nestjs/common';
import { BackgroundTimers } from './background-timers';

describe('BackgroundTimers', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs periodic tasks, logs their failures and stops', async () => {
    const logger = new Logger('test');
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const timers = new BackgroundTimers(logger);
    let calls = 0;
    timers.every(100, () => {
      calls += 1;
      throw new Error('boom');
    });
    await jest.advanceTimersByTimeAsync(250);
    expect(calls).toBe(2);
    expect(error).toHaveBeenCalledWith('boom');
    timers.stop();
    await jest.advanceTimersByTimeAsync(500);
    expect(calls).toBe(2);
  });

  it('fires the due timer once, just after the due time, and re-arming replaces it', () => {
    const timers = new BackgroundTimers(new Logger('test'));
    const fired: string[] = [];
    timers.armAt(1_000, 0, () => fired.push('first'));
    timers.armAt(500, 0, () => fired.push('second'));
    jest.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(2);
    expect(fired).toEqual(['second']);
    jest.advanceTimersByTime(1_000);
    expect(fired).toEqual(['second']);
    timers.armAt(null, 0, () => fired.push('never'));
    jest.advanceTimersByTime(10_000);
    expect(fired).toEqual(['second']);
  });
});
