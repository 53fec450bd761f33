import { ManualClock } from './manual-clock';
import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? calls : undefined), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('fails with the message and the last error after the timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 30, intervalMs: 5, message: 'never' },
      ),
    ).rejects.toThrow(/never within 30 ms: not yet/);
  });
});

describe('ManualClock', () => {
  it('moves only when told', () => {
    const clock = new ManualClock(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.set('2026-01-01T00:00:01.000Z');
    expect(clock.isoNow()).toBe('2026-01-01T00:00:01.000Z');
  });
});
