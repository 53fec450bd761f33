import { Logger } from '@nestjs/common';
import { ManualClock, waitFor } from '@runhook/testing';
import type { AppConfig } from '../config/app-config';
import type { RunControl, RunExecutor } from './run-executor.service';
import type { RunRecord } from './run-record';
import type { RunsRepository } from './runs.repository';
import { RunWorker } from './run-worker.service';

const LEASE_MS = 60_000;

/** A worker over stand-ins: the repository answers every renewal with the run lost, as it does once a run ended. */
function workerOver(execute: (control: RunControl) => Promise<void>) {
  const renewed: string[][] = [];
  let claimed = false;
  const runs = {
    claim: async () => (claimed ? [] : ((claimed = true), [{ run_id: 'run-1', attempt: 1 } as RunRecord])),
    nextDueAt: async () => null,
    reclaimExpired: async () => ({ requeued: [], exhausted: [] }),
    renewLeases: async (_owner: string, leases: Map<string, unknown>) => {
      renewed.push([...leases.keys()]);
      return { lost: [...leases.keys()], cancels: [] };
    },
  } as unknown as RunsRepository;
  const config = {
    roles: new Set(['worker']),
    worker: { concurrency: 1, leaseMs: LEASE_MS, maxAttempts: 3, pollMs: LEASE_MS, processes: 0, isForkedWorker: false },
  } as unknown as AppConfig;
  const executor = { execute: (_run: RunRecord, control: RunControl) => execute(control) } as unknown as RunExecutor;
  const signals = { onCancel: () => undefined, onWake: () => undefined };
  const worker = new RunWorker(config, runs, executor, {} as never, signals as never, new ManualClock() as never, {} as never, {} as never);
  return { worker, renewed };
}

describe('RunWorker lease renewal', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('stops renewing a run once its end is being written, so a committed end is never reported as a lost lease', async () => {
    let control: RunControl | null = null;
    let endWritten!: () => void;
    const { worker, renewed } = workerOver((given) => {
      control = given;
      given.ending();
      return new Promise<void>((resolve) => (endWritten = resolve));
    });
    worker.onApplicationBootstrap();
    await waitFor(() => control !== null, { message: 'run started' });

    await worker.renewLeases();
    expect(renewed).toEqual([]);
    expect(control!.signal.aborted).toBe(false);
    expect(warn).not.toHaveBeenCalled();

    endWritten();
    await worker.onApplicationShutdown();
  });

  it('a run still executing whose renewal updates no row loses its lease: its graph is aborted and the loss logged', async () => {
    let control: RunControl | null = null;
    const { worker, renewed } = workerOver((given) => {
      control = given;
      return new Promise<void>((resolve) => given.signal.addEventListener('abort', () => resolve()));
    });
    worker.onApplicationBootstrap();
    await waitFor(() => control !== null, { message: 'run started' });

    await worker.renewLeases();
    expect(renewed).toEqual([['run-1']]);
    expect(control!.signal.aborted).toBe(true);
    expect(control!.leaseLost()).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('lease of attempt 1 lost'));
    await worker.onApplicationShutdown();
  });
});
