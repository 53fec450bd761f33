import { eventName, planStream } from './stream-modes';

describe('planStream', () => {
  it('always streams values from the graph and maps messages-tuple to its messages mode', () => {
    const plan = planStream(['updates', 'messages-tuple']);
    expect(new Set(plan.libraryModes)).toEqual(new Set(['values', 'updates', 'messages']));
    expect(plan.needsEvents).toBe(false);
  });

  it('takes the events path only for events and the legacy messages mode', () => {
    expect(planStream(['events']).needsEvents).toBe(true);
    expect(planStream(['messages']).needsEvents).toBe(true);
    expect(planStream(['values', 'debug', 'custom']).needsEvents).toBe(false);
  });
});

describe('eventName', () => {
  it('prefixes subgraph events with their namespace', () => {
    expect(eventName('values', undefined)).toBe('values');
    expect(eventName('updates', ['child:1', 'inner:2'])).toBe('updates|child:1|inner:2');
  });
});
