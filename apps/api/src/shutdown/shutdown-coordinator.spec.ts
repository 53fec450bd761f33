import { type ShutdownParts, ShutdownCoordinator, type ShutdownTiming } from './shutdown-coordinator';

/** A timer moved by hand: `after(ms)` resolves once `advance` has passed its moment. */
class HandTimer implements ShutdownTiming {
  private time = 0;
  private readonly pending: { at: number; resolve: () => void }[] = [];
  constructor(readonly graceMs: number) {}
  now(): number {
    return this.time;
  }
  after(ms: number): Promise<void> {
    return new Promise((resolve) => this.pending.push({ at: this.time + ms, resolve }));
  }
  async advance(ms: number): Promise<void> {
    this.time += ms;
    for (const timer of this.pending.filter((entry) => entry.at <= this.time)) timer.resolve();
    await settle();
  }
}

/** Lets every promise callback queued so far run. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await Promise.resolve();
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Parts that record what happened to them, in order; runs and deliveries stay in flight until told. */
function recordingParts() {
  const log: string[] = [];
  const runsInFlight = deferred();
  const requests = deferred();
  const parts: ShutdownParts = {
    http: {
      stopAccepting: () => {
        log.push('http: stop accepting');
        return requests.promise;
      },
      cutOpenConnections: () => log.push('http: cut'),
    },
    streams: {
      handOffAll: () => {
        log.push('streams: hand off');
        return 2;
      },
    },
    runs: {
      stopClaiming: () => log.push('runs: stop claiming'),
      drain: async (graceOver) => {
        const graceEnded = await Promise.race([runsInFlight.promise.then(() => false), graceOver.then(() => true)]);
        log.push(graceEnded ? 'runs: released' : 'runs: finished');
        return graceEnded ? { finished: 1, released: ['r2'] } : { finished: 2, released: [] };
      },
    },
    deliveries: {
      stopClaiming: () => log.push('deliveries: stop claiming'),
      drain: async () => {
        log.push('deliveries: drained');
        return { released: 0 };
      },
    },
    crons: {
      stop: async () => {
        log.push('crons: stopped');
      },
    },
  };
  return { log, parts, runsInFlight, requests };
}

describe('ShutdownCoordinator', () => {
  it('stops every intake at once, before anything is waited for', async () => {
    const { log, parts } = recordingParts();
    void new ShutdownCoordinator(parts, new HandTimer(10_000)).shutdown();
    // Synchronously, within the call: nothing has been waited for yet.
    expect(log.slice(0, 2)).toEqual(['runs: stop claiming', 'deliveries: stop claiming']);
    expect(log).toEqual(expect.arrayContaining(['crons: stopped', 'http: stop accepting', 'streams: hand off']));
    expect(log).not.toContain('runs: finished');
    expect(log).not.toContain('runs: released');
  });

  it('ends as soon as the runs in flight finish and the requests are answered, well within the grace', async () => {
    const { log, parts, runsInFlight, requests } = recordingParts();
    const timer = new HandTimer(10_000);
    const report = new ShutdownCoordinator(parts, timer).shutdown();
    await timer.advance(1_500);
    runsInFlight.resolve();
    requests.resolve();
    await expect(report).resolves.toEqual({
      drainMs: 1_500,
      streamsHandedOff: 2,
      runsFinished: 2,
      runsReleased: [],
      deliveriesReleased: 0,
      failures: [],
    });
    expect(log).not.toContain('http: cut');
  });

  it('at the end of the grace, hands back the runs still going and cuts the requests still open', async () => {
    const { log, parts } = recordingParts();
    const timer = new HandTimer(10_000);
    let ended = false;
    const report = new ShutdownCoordinator(parts, timer).shutdown().finally(() => (ended = true));
    await timer.advance(9_999);
    expect(ended).toBe(false);
    expect(log).not.toContain('runs: released');
    await timer.advance(1);
    await expect(report).resolves.toMatchObject({ drainMs: 10_000, runsFinished: 1, runsReleased: ['r2'] });
    expect(log.slice(-2)).toEqual(['runs: released', 'http: cut']);
  });

  it('drains once however many times it is asked, and a failing part does not stop the others', async () => {
    const { parts, runsInFlight, requests } = recordingParts();
    parts.deliveries = {
      stopClaiming: () => undefined,
      drain: () => Promise.reject(new Error('database gone')),
    };
    const coordinator = new ShutdownCoordinator(parts, new HandTimer(10_000));
    const first = coordinator.shutdown();
    expect(coordinator.shutdown()).toBe(first);
    runsInFlight.resolve();
    requests.resolve();
    await expect(first).resolves.toMatchObject({ runsFinished: 2, failures: ['deliveries: database gone'] });
  });

  it('drains a process without HTTP or SSE (a worker replica) the same way', async () => {
    const { parts, runsInFlight } = recordingParts();
    const worker: ShutdownParts = { runs: parts.runs, deliveries: parts.deliveries };
    const report = new ShutdownCoordinator(worker, new HandTimer(10_000)).shutdown();
    runsInFlight.resolve();
    await expect(report).resolves.toMatchObject({ streamsHandedOff: 0, runsFinished: 2 });
  });
});
