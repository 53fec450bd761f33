import type { RunEvent, RunOutcome } from './run-event';
import { InProcessStreamBroker } from './in-process-stream-broker';

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
});
