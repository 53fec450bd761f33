import 'reflect-metadata';
import { type INestApplication, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { HttpExceptionFilter } from '../common/http-exception.filter';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { parseHttpConfig } from '../config/http-config';
import { DatabaseHealth, PostgresDatabaseHealth, SqliteDatabaseHealth } from '../persistence/database-health';
import { createPgPool, type PgPool } from '../persistence/postgres/pg-pool';
import { describePostgresStore } from '../persistence/testing/store-fixture';
import { openTemporarySqlite } from '../webhooks/testing/temporary-sqlite';
import { DatabaseLink } from './testing/database-link';
import { HealthController } from './health.controller';

// /ok reads only the http section (which endpoints are switched off).
const CONFIG = { langgraph: { http: parseHttpConfig({}, '.') }, readinessTimeoutMs: 10_000 } as AppConfig;

/** The health controller over real HTTP, as bootstrap sets it up, in front of the given database check. */
async function serve(database: DatabaseHealth, config: AppConfig = CONFIG): Promise<{ url: string; app: INestApplication }> {
  const module = await Test.createTestingModule({
    controllers: [HealthController],
    providers: [
      { provide: APP_CONFIG, useValue: config },
      { provide: DatabaseHealth, useValue: database },
    ],
  }).compile();
  const app = module.createNestApplication({ logger: false });
  // The controller's own logger would print the expected failures.
  Logger.overrideLogger(false);
  app.useGlobalFilters(new HttpExceptionFilter());
  await app.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`, app };
}

async function answer(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('/ok on SQLite', () => {
  it('checks the database only with check_db, and answers 503 with a detail once the connection is gone', async () => {
    const sqlite = openTemporarySqlite();
    const { url, app } = await serve(new SqliteDatabaseHealth(sqlite.db));
    try {
      expect(await answer(`${url}/ok?check_db=1`)).toEqual({ status: 200, body: { ok: true } });
      await sqlite.close();

      expect(await answer(`${url}/ok?check_db=1`)).toEqual({ status: 503, body: { detail: 'database unavailable' } });
      expect(await answer(`${url}/ok?check_db=true`)).toMatchObject({ status: 503 });
      // Liveness stays cheap: no database call without the parameter, or with a false one.
      expect(await answer(`${url}/ok`)).toEqual({ status: 200, body: { ok: true } });
      expect(await answer(`${url}/ok?check_db=0`)).toEqual({ status: 200, body: { ok: true } });
    } finally {
      await app.close();
    }
  });
});

describe('/ok with a database that does not answer', () => {
  it('answers 503 with a detail once RUNHOOK_READINESS_TIMEOUT_MS has passed, instead of hanging with the query', async () => {
    let checks = 0;
    const silent = new (class extends DatabaseHealth {
      check(): Promise<void> {
        checks += 1;
        return new Promise(() => undefined);
      }
    })();
    const { url, app } = await serve(silent, { ...CONFIG, readinessTimeoutMs: 200 });
    try {
      const started = performance.now();
      expect(await answer(`${url}/ok?check_db=1`)).toEqual({ status: 503, body: { detail: 'database unavailable: no answer within 200 ms' } });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(2_000);
      expect(checks).toBe(1);
      expect(await answer(`${url}/ok`)).toEqual({ status: 200, body: { ok: true } });
    } finally {
      await app.close();
    }
  });
});

describePostgresStore(() => {
  describe('/ok on PostgreSQL that goes away and comes back', () => {
    const target = new URL(process.env['TEST_DATABASE_URL'] as string);
    const link = new DatabaseLink({ host: target.hostname, port: Number(target.port || 5432) });
    let pool: PgPool;
    let served: { url: string; app: INestApplication };

    beforeAll(async () => {
      await link.open();
      const relayed = new URL(target);
      relayed.hostname = '127.0.0.1';
      relayed.port = String(link.port);
      pool = createPgPool(relayed.toString(), { max: 2 });
      served = await serve(new PostgresDatabaseHealth(pool));
    });

    afterAll(async () => {
      await served?.app.close();
      await link.cut();
      await pool?.end();
    });

    it('answers 503 with a detail while the database is unreachable, 200 again once it is back; /ok alone stays 200', async () => {
      const ready = () => answer(`${served.url}/ok?check_db=1`);
      expect(await ready()).toEqual({ status: 200, body: { ok: true } });

      await link.cut();
      expect(await ready()).toEqual({ status: 503, body: { detail: 'database unavailable' } });
      expect(await answer(`${served.url}/ok`)).toEqual({ status: 200, body: { ok: true } });

      await link.open();
      expect(await ready()).toEqual({ status: 200, body: { ok: true } });
    });
  });
});
