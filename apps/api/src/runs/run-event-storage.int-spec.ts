import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { waitFor } from '@runhook/testing';
import { resolve } from 'node:path';
import { AppModule } from '../app.module';
import { AssistantsService } from '../assistants/assistants.service';
import { loadAppConfig } from '../config/app-config';
import { type AppDatabase, type AppDatabaseFactory, describeEachAppDatabase } from '../persistence/testing/app-database';
import type { RunEvent } from '../streaming/run-event';
import { writeSleepingProject } from './testing/sleeping-project';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';

const REPO = resolve(__dirname, '../../../..');
jest.setTimeout(30_000);
const SLOW_WRITE_MS = 1_000;

/**
 * A replica that did not execute a resumable run follows it from the database: stored events after the last one it
 * saw, until the run's status says it ended. That only works when the events commit in order and before the end.
 */
function describeEventStorage(name: string, database: AppDatabaseFactory): void {
  describe(`a resumable run's stored events on ${name}`, () => {
    let db: AppDatabase;
    let app: INestApplicationContext;

    beforeAll(async () => {
      db = await database();
      const config = loadAppConfig({ DATABASE_URL: db.url, RUNHOOK_ROLES: 'worker', RUNHOOK_SELF_URL: 'http://127.0.0.1:9', RUNHOOK_CONFIG: writeSleepingProject(), RUN_POLL_MS: '50' }, REPO);
      app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
      await app.get(AssistantsService).ensureSystemAssistants();
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('are all stored, in order, before the run is seen to end, even when a write is slow', async () => {
      const runs = app.get(RunsRepository);
      const original = runs.appendEvents.bind(runs);
      const writes: number[][] = [];
      let inFlight = 0;
      let mostInFlight = 0;
      const append = jest.spyOn(runs, 'appendEvents').mockImplementation(async (runId, events, fence) => {
        writes.push(events.map((event: RunEvent) => event.seq));
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        // The first write is slow, as on a busy pooled connection: the events after it must wait, not overtake it.
        if (writes.length === 1) await new Promise((done) => setTimeout(done, SLOW_WRITE_MS));
        try {
          await original(runId, events, fence);
        } finally {
          inFlight -= 1;
        }
      });
      try {
        const run = await app.get(RunsService).create(null, {
          assistant_id: 'sleeper',
          input: { sleep_ms: 10 },
          stream_mode: ['values', 'updates', 'tasks'],
          stream_resumable: true,
          on_completion: 'keep',
        });
        await waitFor(async () => (await runs.get(run.run_id))?.status === 'success', { intervalMs: 10, message: 'run ended' });
        const stored = (await runs.listEvents(run.run_id, -1)).map((event) => event.seq);
        expect(stored.length).toBeGreaterThan(3);
        expect(stored).toEqual(stored.map((_, index) => index));
        expect(mostInFlight).toBe(1);
        expect(writes.flat()).toEqual(stored);
      } finally {
        append.mockRestore();
      }
    });
  });
}

describeEachAppDatabase(describeEventStorage);
