import { describe, expect, it } from '@jest/globals';
import { EndpointGate, EndpointGates, QUICK_SEND_MS, type SendSlot } from './endpoint-gate';

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

describe('EndpointGate', () => {
  it('opens at most the claim\'s limit of sends at once and lets the others in, in claim order, as slots free', async () => {
    const gate = new EndpointGate();
    const opened: { i: number; slot: SendSlot }[] = [];
    for (let i = 0; i < 5; i += 1) gate.hold(2);
    for (let i = 0; i < 5; i += 1) void gate.acquire().then((slot) => opened.push({ i, slot }));
    await settle();
    expect(opened.map((send) => send.i)).toEqual([0, 1]);

    opened[0].slot.close();
    opened[0].slot.close();
    await settle();
    expect(opened.map((send) => send.i)).toEqual([0, 1, 2]);

    opened[1].slot.close();
    opened[2].slot.close();
    await settle();
    expect(opened.map((send) => send.i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('takes the limit of the latest claim: a smaller one holds new sends back until the open ones fall under it', async () => {
    const gate = new EndpointGate();
    const slots: SendSlot[] = [];
    for (let i = 0; i < 3; i += 1) gate.hold(3);
    for (let i = 0; i < 3; i += 1) void gate.acquire().then((slot) => slots.push(slot));
    await settle();
    expect(slots).toHaveLength(3);

    gate.hold(1);
    void gate.acquire().then((slot) => slots.push(slot));
    slots[0].close();
    slots[1].close();
    await settle();
    expect(slots).toHaveLength(3);
    slots[2].close();
    await settle();
    expect(slots).toHaveLength(4);
  });

  it('answers quickly only once a send answered within the bound, and not while one open send takes longer', async () => {
    let now = 0;
    const gate = new EndpointGate(() => now);
    gate.hold(2);
    gate.hold(2);
    const first = await gate.acquire();
    expect(gate.answersQuickly).toBe(false);

    now += 5;
    first.close();
    expect(gate.answersQuickly).toBe(true);

    const stuck = await gate.acquire();
    now += QUICK_SEND_MS + 1;
    expect(gate.answersQuickly).toBe(false);
    stuck.close();
    expect(gate.answersQuickly).toBe(false);
  });

  it('counts the deliveries it holds, and says how long it has held none, so the dispatcher can forget it', () => {
    let now = 0;
    const gate = new EndpointGate(() => now);
    gate.hold(8);
    gate.hold(8);

    expect(gate.unhold()).toBe(1);
    now += 5_000;
    expect(gate.idleLongerThan(1_000)).toBe(false);
    expect(gate.unhold()).toBe(0);
    now += 1_000;
    expect(gate.idleLongerThan(1_000)).toBe(false);
    now += 1;
    expect(gate.idleLongerThan(1_000)).toBe(true);
    gate.hold(8);
    expect(gate.idleLongerThan(1_000)).toBe(false);
  });
});

describe('EndpointGates', () => {
  async function sendOnce(gates: EndpointGates, endpoint: string, clock: { ms: number }, tookMs: number): Promise<void> {
    const gate = gates.forEndpoint(endpoint);
    gate.hold(2);
    const slot = await gate.acquire();
    clock.ms += tookMs;
    slot.close();
    gates.unhold(endpoint);
  }

  it('leases ahead only for endpoints whose latest send answered quickly, three times their send limit', async () => {
    const clock = { ms: 0 };
    const gates = new EndpointGates(() => clock.ms);
    await sendOnce(gates, 'https://quick.example', clock, 10);
    await sendOnce(gates, 'https://slow.example', clock, QUICK_SEND_MS + 1);
    gates.forEndpoint('https://unknown.example').hold(2);

    expect(Object.fromEntries(gates.leaseAhead(4))).toEqual({ 'https://quick.example': 4 * EndpointGates.AHEAD_PER_SEND_SLOT });
  });

  it('keeps one gate per endpoint, and forgets a gate that has held nothing for longer than its idle time', async () => {
    const clock = { ms: 0 };
    const gates = new EndpointGates(() => clock.ms);
    await sendOnce(gates, 'https://quick.example', clock, 10);
    expect(gates.forEndpoint('https://quick.example')).toBe(gates.forEndpoint('https://quick.example'));

    clock.ms += EndpointGates.IDLE_MS;
    expect(gates.leaseAhead(1).size).toBe(1);
    clock.ms += 1;
    expect(gates.leaseAhead(1).size).toBe(0);
    // A forgotten endpoint starts again unknown: no lease ahead until a quick send is seen.
    gates.forEndpoint('https://quick.example').hold(1);
    expect(gates.leaseAhead(1).size).toBe(0);
  });
});
