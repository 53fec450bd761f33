import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ManualClock, waitFor } from '@runhook/testing';
import { resolve } from 'node:path';
import { AppModule } from '../app.module';
import { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { AssistantsService } from '../assistants/assistants.service';
import { CheckpointStoreUnavailableError, fenceOf } from '../persistence/checkpoint-fence';
import { ThreadStateService } from '../threads/thread-state.service';
import { loadAppConfig } from '../config/app-config';
import { type AppDatabase, type AppDatabaseFactory, describeEachAppDatabase } from '../persistence/testing/app-database';
import { DeliveriesRepository } from '../webhooks/deliveries.repository';
import { webhookIdFor } from '../webhooks/run-webhook-payload';
import { RunWorker } from './run-worker.service';
import { writeSleepingProject } from './testing/sleeping-project';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';

const REPO = resolve(__dirname, '../../../..');
jest.setTimeout(60_000);
const LEASE_MS = 600_000;
const T0 = Date.parse('2026-05-01T12:00:00.000Z');

interface Worker {
  app: INestApplicationContext;
  worker: RunWorker;
  runs: RunsRepository;
  service: RunsService;
  deliveries: DeliveriesRepository;
  state: ThreadStateService;
}

/**
 * A whole worker process's services on the shared database, one run at a time. Its lease and poll timers are
 * set far beyond the test, so leases lapse only when the shared manual clock is moved: a paused worker.
 */
async function startWorker(databaseUrl: string, clock: ManualClock): Promise<Worker> {
  const config = loadAppConfig(
    {
      DATABASE_URL: databaseUrl,
      RUNHOOK_ROLES: 'worker',
      // The sleeping project allows loopback webhooks, and a worker-only replica must know where relative ones go.
      RUNHOOK_SELF_URL: 'http://127.0.0.1:9',
      RUNHOOK_CONFIG: writeSleepingProject(),
      N_JOBS_PER_WORKER: '1',
      RUN_LEASE_MS: String(LEASE_MS),
      RUN_POLL_MS: String(LEASE_MS),
    },
    REPO,
  );
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { clock }), { logger: ['error'] });
  await app.get(AssistantsService).ensureSystemAssistants();
  return { app, worker: app.get(RunWorker), runs: app.get(RunsRepository), service: app.get(RunsService), deliveries: app.get(DeliveriesRepository), state: app.get(ThreadStateService) };
}

function describeFencing(name: string, database: AppDatabaseFactory): void {
  describe(`two workers on one ${name} database: a run ends once`, () => {
    let db: AppDatabase;
    let clock: ManualClock;
    const started: Worker[] = [];
    const start = async () => {
      const worker = await startWorker(db.url, clock);
      started.push(worker);
      return worker;
    };

    beforeEach(async () => {
      db = await database();
      clock = new ManualClock(T0);
    });
    afterEach(async () => {
      for (const worker of started.splice(0)) await worker.app.close();
      await db.drop();
    });

    /** `sleepMs`: how long the graph sleeps, for every attempt or for each one (`{1: ms, 2: ms}`). */
    async function runWith(worker: Worker, sleepMs: number | Record<number, number>): Promise<string> {
      const run = await worker.service.create(null, {
        assistant_id: 'sleeper',
        input: typeof sleepMs === 'number' ? { sleep_ms: sleepMs } : { sleep_ms_by_attempt: sleepMs },
        webhook: 'http://127.0.0.1:9/hook',
        on_completion: 'keep',
      });
      await waitFor(async () => (await worker.runs.get(run.run_id))?.status === 'running', { message: 'run claimed' });
      return run.run_id;
    }

    /**
     * Waits until the graph sleeps inside its node. A worker is paused (the clock moved) only then: a checkpoint write
     * still under way would check the lease itself, find it lapsed, and free the worker to claim the run back first.
     */
    async function asleep(worker: Worker, runId: string): Promise<void> {
      const threadId = (await worker.runs.get(runId))?.thread_id as string;
      await waitFor(async () => (await worker.state.getState(threadId)).next.includes('sleep'), { message: 'graph asleep in its node' });
    }

    it('a worker that stalled past its lease ends nothing and enqueues nothing; the new owner’s end is the one', async () => {
      const stalled = await start();
      // The new owner's attempt sleeps longer, so the stalled one reaches its end first.
      const runId = await runWith(stalled, { 1: 1_000, 2: 4_000 });
      await asleep(stalled, runId);
      clock.advance(LEASE_MS + 1);
      // The second worker starts with the first one's lease lapsed: its start re-queues and claims the run.
      const owner = await start();
      await waitFor(async () => (await owner.runs.get(runId))?.attempt === 2, { message: 're-claimed as attempt 2' });

      await waitFor(() => !stalled.worker.isLocal(runId), { message: 'stalled attempt finished' });
      expect(await owner.runs.get(runId)).toMatchObject({ status: 'running', attempt: 2, ended_at: null });
      expect((await owner.deliveries.search({ run_id: runId }, 10, 0)).total).toBe(0);

      const ownersEnd = T0 + 2 * LEASE_MS;
      clock.set(ownersEnd);
      await waitFor(async () => (await owner.runs.get(runId))?.status === 'success', { message: 'owner ended the run' });
      expect((await owner.runs.get(runId))?.ended_at).toBe(new Date(ownersEnd).toISOString());
      const { items } = await owner.deliveries.search({ run_id: runId }, 10, 0);
      expect(items.map((item) => item.webhook_id)).toEqual([webhookIdFor(runId)]);
    });

    it('a worker whose lease renewal updates no row aborts its graph at once and writes nothing', async () => {
      const worker = await start();
      const runId = await runWith(worker, 60_000);
      await asleep(worker, runId);
      // Another worker takes the run over while this one is paused.
      clock.advance(LEASE_MS + 1);
      await waitFor(async () => (await worker.runs.reclaimExpired({ nowMs: clock.now(), maxAttempts: 3 })).requeued.includes(runId), {
        message: 'lapsed lease reclaimed',
      });
      const [taken] = await worker.runs.claim('another-worker', 1, clock.now(), clock.now() + LEASE_MS);
      expect(taken).toMatchObject({ run_id: runId, attempt: 2 });

      await worker.worker.renewLeases();
      // The graph sleeps for a minute unless its AbortSignal fires.
      await waitFor(() => !worker.worker.isLocal(runId), { timeoutMs: 5_000, message: 'execution aborted' });
      expect(await worker.runs.get(runId)).toMatchObject({ status: 'running', attempt: 2, ended_at: null });
      expect((await worker.deliveries.search({ run_id: runId }, 10, 0)).total).toBe(0);
    });

    it('a run whose checkpoint write finds the database down ends nothing, and is resumed by its next attempt', async () => {
      const worker = await start();
      const saver = worker.app.get(BaseCheckpointSaver);
      // The first checkpoint write of the run meets a PostgreSQL restart, as the saver reports it.
      const restart = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' });
      const put = jest.spyOn(saver, 'put').mockImplementationOnce(async (config) => {
        throw new CheckpointStoreUnavailableError(fenceOf(config)!, restart);
      });
      const runId = await runWith(worker, 10);
      await waitFor(() => put.mock.calls.length > 0 && !worker.worker.isLocal(runId), { message: 'attempt 1 stopped' });
      expect(await worker.runs.get(runId)).toMatchObject({ status: 'running', attempt: 1, ended_at: null });
      expect((await worker.deliveries.search({ run_id: runId }, 10, 0)).total).toBe(0);

      clock.advance(LEASE_MS + 1);
      // A checkpoint write attempt 1's graph had under way can still hold the run's row (FOR SHARE) for a moment, and
      // a reclaim pass skips a locked row: like the worker's periodic pass, the test passes again until one takes it.
      await waitFor(
        async () => {
          await worker.worker.reclaimExpired();
          const row = await worker.runs.get(runId);
          return row?.status !== 'running' || row.attempt > 1;
        },
        { message: 'lapsed lease of attempt 1 reclaimed' },
      );
      await waitFor(async () => !['pending', 'running'].includes((await worker.runs.get(runId))?.status ?? ''), {
        message: 'attempt 2 ended the run',
      }).catch(async (error: Error) => {
        // Whether the run was never claimed again or hangs in its execution is what a failure needs to say.
        const row = await worker.runs.get(runId);
        throw new Error(`${error.message}; the run is ${row?.status}, attempt ${row?.attempt}, executing here: ${worker.worker.isLocal(runId)}, checkpoint puts: ${put.mock.calls.length}`);
      });
      expect(await worker.runs.get(runId)).toMatchObject({ status: 'success', attempt: 2, error: null });
      const { items } = await worker.deliveries.search({ run_id: runId }, 10, 0);
      expect(items.map((item) => item.webhook_id)).toEqual([webhookIdFor(runId)]);
    });
  });
}

describeEachAppDatabase(describeFencing);
