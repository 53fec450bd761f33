import type { RunEvent } from '../streaming/run-event';
import { OrderedEventWriter } from './ordered-event-writer';

const event = (seq: number): RunEvent => ({ seq, event: 'values', data: JSON.stringify({ seq }) });

/** A write the test completes by hand, so the order of completions is the test's to choose. */
function manualWrites() {
  const calls: { events: number[]; finish: (error?: Error) => void }[] = [];
  const write = (events: RunEvent[]) =>
    new Promise<void>((resolve, reject) => calls.push({ events: events.map((e) => e.seq), finish: (error) => (error ? reject(error) : resolve()) }));
  return { calls, write };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OrderedEventWriter', () => {
  it('has one write in flight at a time, and the events published meanwhile go together in the next', async () => {
    const { calls, write } = manualWrites();
    const writer = new OrderedEventWriter(write, () => undefined);
    writer.add(event(1));
    writer.add(event(2));
    writer.add(event(3));
    await settle();
    expect(calls.map((call) => call.events)).toEqual([[1]]);
    calls[0].finish();
    await settle();
    expect(calls.map((call) => call.events)).toEqual([[1], [2, 3]]);
  });

  it('flushed() waits for every event added before it, including ones queued behind a slow write', async () => {
    const { calls, write } = manualWrites();
    const writer = new OrderedEventWriter(write, () => undefined);
    writer.add(event(1));
    writer.add(event(2));
    let flushed = false;
    void writer.flushed().then(() => (flushed = true));
    calls[0].finish();
    await settle();
    expect(flushed).toBe(false);
    calls[1].finish();
    await settle();
    expect(flushed).toBe(true);
    await expect(new OrderedEventWriter(write, () => undefined).flushed()).resolves.toBeUndefined();
  });

  it('reports a failed write with its events and goes on with the next ones', async () => {
    const { calls, write } = manualWrites();
    const failures: number[][] = [];
    const writer = new OrderedEventWriter(write, (events) => failures.push(events.map((e) => e.seq)));
    writer.add(event(1));
    writer.add(event(2));
    calls[0].finish(new Error('connection terminated'));
    await settle();
    calls[1].finish();
    await writer.flushed();
    expect(failures).toEqual([[1]]);
    expect(calls.map((call) => call.events)).toEqual([[1], [2]]);
    writer.add(event(3));
    await settle();
    expect(calls.map((call) => call.events)).toEqual([[1], [2], [3]]);
  });
});
