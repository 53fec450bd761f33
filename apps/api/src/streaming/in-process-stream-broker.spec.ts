import { ManualClock } from '@runhook/testing';
import { RunSignals } from '../common/run-signals';
import type { RunEvent, RunOutcome } from './run-event';
import { InProcessStreamBroker, ORPHAN_IDLE_MS } from './in-process-stream-broker';

function collector() {
  const events: RunEvent[] = [];
  const outcomes: RunOutcome[] = [];
  return { events, outcomes, listener: { onEvent: (e: RunEvent) => events.push(e), onDone: (o: RunOutcome) => outcomes.push(o) } };
}

describe('InProcessStreamBroker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('numbers events, fans them out and tells every listener the outcome', () => {
    const broker = new InProcessStreamBroker();
    broker.open('r1', { keepEvents: false });
    const a = collector();
    const b = collector();
    broker.subscribe('r1', a.listener);
    broker.subscribe('r1', b.listener);
    broker.publish('r1', 'metadata', '{}');
    broker.publish('r1', 'values', '{"x":1}');
    broker.finish('r1', { status: 'success', output: { x: 1 } });
    expect(a.events.map((e) => [e.seq, e.event])).toEqual([
      [0, 'metadata'],
      [1, 'values'],
    ]);
    expect(b.outcomes).toEqual([{ status: 'success', output: { x: 1 } }]);
    expect(broker.publish('r1', 'late', '{}')).toBeNull();
  });

  it('replays kept events after a given sequence number to a late subscriber', () => {
    const broker = new InProcessStreamBroker();
    broker.open('r1', { keepEvents: true });
    for (const name of ['metadata', 'values', 'values', 'values']) broker.publish('r1', name, '{}');
    const late = collector();
    broker.subscribe('r1', late.listener, 1);
    expect(late.events.map((e) => e.seq)).toEqual([2, 3]);
  });

  it('keeps a finished run\'s outcome a moment for joins racing the end, then forgets it', () => {
    const broker = new InProcessStreamBroker();
    broker.open('r1', { keepEvents: false });
    broker.finish('r1', { status: 'error', output: { __error__: { error: 'E', message: 'm' } } });
    const racing = collector();
    expect(broker.subscribe('r1', racing.listener)).not.toBeNull();
    expect(racing.outcomes).toHaveLength(1);
    jest.advanceTimersByTime(10_000);
    expect(broker.subscribe('r1', collector().listener)).toBeNull();
  });

  it('wants events only while someone listens or the run keeps them', () => {
    const broker = new InProcessStreamBroker();
    broker.open('quiet', { keepEvents: false });
    expect(broker.wants('quiet')).toBe(false);
    const stop = broker.subscribe('quiet', collector().listener);
    expect(broker.wants('quiet')).toBe(true);
    stop?.();
    expect(broker.wants('quiet')).toBe(false);
    broker.open('kept', { keepEvents: true });
    expect(broker.wants('kept')).toBe(true);
    expect(broker.wants('unknown')).toBe(false);
  });

  describe('memory: every channel goes once its run is over', () => {
    let signals: RunSignals;
    let clock: ManualClock;
    let broker: InProcessStreamBroker;

    beforeEach(() => {
      signals = new RunSignals();
      clock = new ManualClock();
      broker = new InProcessStreamBroker(signals, clock);
    });
    afterEach(() => broker.onModuleDestroy());

    it('closes the channels of runs that ended elsewhere when the run-end signal arrives', () => {
      // An api-only replica: every run it creates runs on another replica, whose end arrives as a signal.
      for (let i = 0; i < 100; i++) broker.open(`r${i}`, { keepEvents: false });
      const client = collector();
      broker.subscribe('r0', client.listener);
      expect(broker.channelCount).toBe(100);
      for (let i = 0; i < 100; i++) signals.ended(`r${i}`);
      jest.advanceTimersByTime(10_000);
      expect(broker.channelCount).toBe(0);
      // Its client is not told a made-up outcome: it reads the real one from the database.
      expect(client.outcomes).toEqual([]);
    });

    it('ignores the run-end signal of a run this process still executes', () => {
      broker.open('mine', { keepEvents: false, executing: true });
      signals.ended('mine');
      jest.advanceTimersByTime(10_000);
      expect(broker.isOpen('mine')).toBe(true);
      broker.finish('mine', { status: 'success', output: {} });
      jest.advanceTimersByTime(10_000);
      expect(broker.channelCount).toBe(0);
    });

    it('sweeps idle orphans, never a channel that is executing here or has a listener', () => {
      broker.open('orphan', { keepEvents: true });
      broker.open('executing', { keepEvents: false, executing: true });
      broker.open('followed', { keepEvents: false });
      const stop = broker.subscribe('followed', collector().listener);
      clock.advance(ORPHAN_IDLE_MS - 1);
      broker.sweep();
      expect(broker.channelCount).toBe(3);
      clock.advance(2);
      broker.sweep();
      expect(broker.isOpen('orphan')).toBe(false);
      expect(broker.channelCount).toBe(2);
      // The executor gave the run up (its end could not be written): the channel becomes an orphan.
      broker.release('executing');
      stop?.();
      clock.advance(ORPHAN_IDLE_MS + 1);
      broker.sweep();
      expect(broker.channelCount).toBe(0);
    });
  });
});
