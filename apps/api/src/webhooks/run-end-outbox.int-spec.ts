import type { Run } from '@runhook/contracts';
import { uuid7 } from '../common/ids';
import type { RunResult } from '../runs/run-record';
import { SqliteRunsRepository } from '../runs/sqlite-runs.repository';
import type { SqliteConnection } from '../persistence/sqlite-database';
import { DuplicateDeliveryError } from './deliveries.repository';
import { webhookIdFor } from './run-webhook-payload';
import { SqliteDeliveriesRepository } from './sqlite-deliveries.repository';
import { ManualClock } from './testing/manual-clock';
import { openTemporarySqlite } from './testing/temporary-sqlite';
import { webhookTestConfig } from './testing/webhook-test-config';
import { WebhookOutbox } from './webhook-outbox.service';

const NOW = '2026-03-01T12:00:00.000Z';

function newRun(threadId: string, webhook: string | null, metadata: Record<string, unknown> = {}): Run {
  const runId = uuid7();
  return {
    run_id: runId,
    thread_id: threadId,
    assistant_id: 'fe096781-5601-53d2-b2f6-0d3403f7e9ca',
    created_at: NOW,
    updated_at: NOW,
    status: 'pending',
    metadata,
    multitask_strategy: 'enqueue',
    kwargs: { input: { n: 1 }, config: {}, stream_mode: ['values'], webhook, temporary: false, subgraphs: false, resumable: false },
  };
}

describe('run end writes its webhook delivery in the same transaction (SQLite)', () => {
  let store: { db: SqliteConnection; close(): Promise<void> };
  let runs: SqliteRunsRepository;
  let deliveries: SqliteDeliveriesRepository;
  let outbox: WebhookOutbox;
  const threadId = uuid7();

  beforeEach(async () => {
    store = openTemporarySqlite();
    runs = new SqliteRunsRepository(store.db);
    deliveries = new SqliteDeliveriesRepository(store.db);
    outbox = new WebhookOutbox(webhookTestConfig(), new ManualClock());
  });

  afterEach(() => store.close());

  async function createRun(webhook: string | null, strategy: 'enqueue' | 'interrupt' | 'rollback' = 'enqueue', metadata = {}): Promise<Run> {
    const run = newRun(threadId, webhook, metadata);
    const result = await runs.createRun({
      run,
      threadToCreate: { thread_id: threadId, created_at: NOW, updated_at: NOW, state_updated_at: NOW, metadata: {}, status: 'idle', config: {}, values: null, interrupts: {} },
      threadMetadata: {},
      multitaskStrategy: strategy,
      now: NOW,
      webhookFor: outbox.forRunEnd,
    });
    expect(result.kind).toBe('created');
    return run;
  }

  async function end(run: Run, overrides: Partial<RunResult> = {}): Promise<void> {
    const record = await runs.get(run.run_id);
    const result: RunResult = { status: 'success', error: null, finalValues: { done: true }, endedAt: NOW, discard: false, thread: null, ...overrides };
    result.delivery = outbox.forRunEnd(record ?? { ...run, attempt: 1, started_at: null, ended_at: null, error: null, final_values: null }, {
      status: result.status,
      endedAt: result.endedAt,
      error: result.error,
      values: result.finalValues,
    });
    await runs.finish(run.run_id, result);
  }

  it('a finished run with a webhook has exactly one pending delivery holding the final body', async () => {
    const run = await createRun('http://127.0.0.1:9/hook?token=abc');
    await end(run);

    const { items } = await deliveries.search({ run_id: run.run_id }, 10, 0);
    expect(items).toEqual([expect.objectContaining({ status: 'pending', url: 'http://127.0.0.1:9/hook?token=abc', thread_id: threadId })]);
    const [claimed] = await deliveries.claim({ owner: 'w', nowMs: Date.now() + 60_000, leaseUntilMs: Date.now() + 90_000, limit: 5, perEndpoint: 5 });
    expect(JSON.parse(claimed.payload)).toMatchObject({ run_id: run.run_id, status: 'success', values: { done: true }, kwargs: { webhook: 'http://127.0.0.1:9/hook?token=abc' } });
  });

  it('a run without a webhook gets none', async () => {
    const run = await createRun(null);
    await end(run);

    expect((await deliveries.search({}, 10, 0)).total).toBe(0);
  });

  it('a rolled-back (deleted) run is still delivered, as interrupted', async () => {
    const run = await createRun('http://127.0.0.1:9/hook');
    await end(run, { status: 'interrupted', discard: true });

    expect(await runs.get(run.run_id)).toBeNull();
    expect((await deliveries.search({ run_id: run.run_id }, 10, 0)).total).toBe(1);
  });

  it('cancelling a pending run delivers it as interrupted; so does a multitask interrupt and rollback', async () => {
    const cancelled = await createRun('http://127.0.0.1:9/a');
    await runs.cancel({ runIds: [cancelled.run_id], action: 'interrupt', now: NOW, webhookFor: outbox.forRunEnd });
    const interrupted = await createRun('http://127.0.0.1:9/b');
    const rolledBack = await createRun('http://127.0.0.1:9/c', 'interrupt');
    await createRun(null, 'rollback');

    const { items } = await deliveries.search({}, 10, 0);
    expect(items.map((item) => item.run_id).sort()).toEqual([cancelled.run_id, interrupted.run_id, rolledBack.run_id].sort());
    const [claimed] = await deliveries.claim({ owner: 'w', nowMs: Date.now() + 60_000, leaseUntilMs: Date.now() + 90_000, limit: 1, perEndpoint: 5 });
    expect(JSON.parse(claimed.payload)).toMatchObject({ status: 'interrupted', run_started_at: null, run_ended_at: NOW });
  });

  it('a delivery’s identity belongs to the server: client metadata claims neither a cron nor a webhook-id', async () => {
    const spoofed = { cron_id: '0190aaaa-0000-7000-8000-000000000001', cron_scheduled_at: NOW };
    const first = await createRun('http://127.0.0.1:9/hook', 'enqueue', spoofed);
    await end(first);
    const second = await createRun('http://127.0.0.1:9/hook', 'enqueue', spoofed);
    await end(second);

    const { items } = await deliveries.search({}, 10, 0);
    expect(items.map((item) => item.run_id).sort()).toEqual([first.run_id, second.run_id].sort());
    expect(new Set(items.map((item) => item.webhook_id)).size).toBe(2);
    expect(items.find((item) => item.run_id === first.run_id)?.webhook_id).toBe(webhookIdFor(first.run_id));
    expect(items.every((item) => item.cron_id === null)).toBe(true);
    expect((await deliveries.search({ cron_id: spoofed.cron_id }, 10, 0)).total).toBe(0);
  });

  it('a second delivery for one run is an error that fails the run end, never a silent drop', async () => {
    const run = await createRun('http://127.0.0.1:9/hook');
    const record = await runs.get(run.run_id);
    if (!record) throw new Error('run not stored');
    const earlier = outbox.forRunEnd(record, { status: 'success', endedAt: NOW, error: null, values: null });
    if (!earlier) throw new Error('no delivery built');
    await deliveries.insert(earlier);

    await expect(end(run)).rejects.toBeInstanceOf(DuplicateDeliveryError);
    expect((await runs.get(run.run_id))?.status).toBe('pending');
    expect((await deliveries.search({ run_id: run.run_id }, 10, 0)).total).toBe(1);
  });

  it('when the run-end transaction fails, neither the run end nor the delivery is written', async () => {
    const run = await createRun('http://127.0.0.1:9/hook');
    // The delivery row is written first; a failure after it must take it back with the rest.
    store.db.exec("CREATE TRIGGER fail_end AFTER INSERT ON webhook_deliveries BEGIN SELECT RAISE(ABORT, 'disk full'); END");

    const failure = await end(run).then(
      () => null,
      (error: Error) => error,
    );
    expect(failure?.message).toContain('disk full');
    expect((await runs.get(run.run_id))?.status).toBe('pending');
    expect((await deliveries.search({}, 10, 0)).total).toBe(0);
  });
});
