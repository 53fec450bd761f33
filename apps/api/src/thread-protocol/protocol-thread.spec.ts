import { ProtocolThread } from './protocol-thread';
import { type ProtocolEvent, matchesFilter } from './protocol-types';

const values = (data: unknown, namespace: string[] = []) => ({ method: 'values' as const, namespace, data });
const lifecycle = (state: string) => ({ method: 'lifecycle' as const, namespace: [], data: { event: state } });

describe('ProtocolThread', () => {
  it('numbers events per thread and gives each a unique id', () => {
    const thread = new ProtocolThread('t', () => 42);
    const first = thread.push(values({ a: 1 }));
    const second = thread.push(lifecycle('completed'));
    expect([first.seq, second.seq, first.event_id, second.event_id]).toEqual([1, 2, '1', '2']);
    expect(first.params).toEqual({ namespace: [], timestamp: 42, data: { a: 1 } });
    expect(thread.lastSeq).toBe(2);
  });

  it('replays the kept events a new stream selects, then delivers live ones, until it detaches', () => {
    const thread = new ProtocolThread('t', () => 0);
    thread.push(values({ a: 1 }));
    thread.push(lifecycle('running'));
    const seen: ProtocolEvent[] = [];
    const detach = thread.attach({ filter: { channels: new Set(['values']) }, send: (event) => seen.push(event) });
    thread.push(values({ a: 2 }));
    thread.push(lifecycle('completed'));
    detach();
    thread.push(values({ a: 3 }));
    expect(seen.map((event) => event.params.data)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(thread.count({ channels: new Set(['lifecycle']) })).toBe(2);
  });

  it('starts a fresh replay window when a run starts on an idle thread, numbering on', () => {
    const thread = new ProtocolThread('t', () => 0);
    thread.push(lifecycle('completed'));
    thread.startWindow();
    thread.runs.push('run-2');
    thread.push(lifecycle('running'));
    thread.startWindow(); // a queued run keeps the window of the one before it
    const seen: ProtocolEvent[] = [];
    thread.attach({ filter: { channels: new Set(['lifecycle']) }, send: (event) => seen.push(event) });
    expect(seen.map((event) => [event.seq, (event.params.data as { event: string }).event])).toEqual([[2, 'running']]);
  });
});

describe('matchesFilter', () => {
  const at = (namespace: string[], method: ProtocolEvent['method'] = 'values', data: unknown = {}): ProtocolEvent => ({
    type: 'event',
    event_id: '5',
    seq: 5,
    method,
    params: { namespace, timestamp: 0, data },
  });

  it('selects by channel, input events on the input channel, named custom events on custom and custom:<name>', () => {
    expect(matchesFilter({ channels: new Set(['values']) }, at([]))).toBe(true);
    expect(matchesFilter({ channels: new Set(['updates']) }, at([]))).toBe(false);
    expect(matchesFilter({ channels: new Set(['input']) }, at([], 'input.requested'))).toBe(true);
    const named = at([], 'custom', { name: 'progress', payload: 1 });
    expect(matchesFilter({ channels: new Set(['custom']) }, named)).toBe(true);
    expect(matchesFilter({ channels: new Set(['custom:progress']) }, named)).toBe(true);
    expect(matchesFilter({ channels: new Set(['custom:other']) }, named)).toBe(false);
  });

  it('matches namespace prefixes ignoring task suffixes, within depth, and after since', () => {
    const filter = { channels: new Set(['values']), namespaces: [['child']], depth: 1 };
    expect(matchesFilter(filter, at(['child:abc']))).toBe(true);
    expect(matchesFilter(filter, at(['child:abc', 'leaf:1']))).toBe(true);
    expect(matchesFilter(filter, at(['child:abc', 'leaf:1', 'deeper:2']))).toBe(false);
    expect(matchesFilter(filter, at(['other:abc']))).toBe(false);
    expect(matchesFilter({ channels: new Set(['values']), namespaces: [['child:xyz']] }, at(['child:abc']))).toBe(false);
    expect(matchesFilter({ channels: new Set(['values']), since: 5 }, at([]))).toBe(false);
    expect(matchesFilter({ channels: new Set(['values']), since: 4 }, at([]))).toBe(true);
  });
});
