import { parseSigningSecrets, verifySignature } from '@runhook/webhooks';
import type { SqliteConnection } from '../persistence/sqlite-database';
import { SqliteDeliveriesRepository } from './sqlite-deliveries.repository';
import { newDelivery } from './testing/delivery-fixtures';
import { ManualClock } from './testing/manual-clock';
import { openTemporarySqlite } from './testing/temporary-sqlite';
import { webhookTestConfig } from './testing/webhook-test-config';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookOutbox } from './webhook-outbox.service';
import type { SendRequest, SendResult, WebhookSender } from './webhook-sender';

const SECRETS = parseSigningSecrets(`whsec_${Buffer.alloc(32, 3).toString('base64')}`);

/** Answers from a per-URL script (default 200); `hold` keeps a URL's requests open until released. */
class ScriptedSender {
  readonly requests: SendRequest[] = [];
  private readonly scripts = new Map<string, number[]>();
  private readonly held = new Map<string, (() => void)[]>();
  private readonly holding = new Set<string>();

  answer(url: string, codes: number[]): void {
    this.scripts.set(url, codes);
  }

  hold(url: string): void {
    this.holding.add(url);
  }

  release(url: string): void {
    this.holding.delete(url);
    for (const resolve of this.held.get(url) ?? []) resolve();
  }

  async send(request: SendRequest): Promise<SendResult> {
    this.requests.push(request);
    if (this.holding.has(request.url)) {
      await new Promise<void>((resolve) => this.held.set(request.url, [...(this.held.get(request.url) ?? []), resolve]));
    }
    const code = this.scripts.get(request.url)?.shift() ?? 200;
    return { statusCode: code, error: code < 300 ? null : `HTTP ${code}`, excerpt: `answer ${code}`, retryAfter: undefined, timedOut: false };
  }

  async close(): Promise<void> {
    // Holds no connections.
  }
}

describe('WebhookDispatcher on SQLite', () => {
  let store: { db: SqliteConnection; close(): Promise<void> };
  let repository: SqliteDeliveriesRepository;
  let clock: ManualClock;
  let sender: ScriptedSender;
  let sut: WebhookDispatcher;

  beforeEach(() => {
    store = openTemporarySqlite();
    repository = new SqliteDeliveriesRepository(store.db);
    clock = new ManualClock();
    sender = new ScriptedSender();
    const config = webhookTestConfig({ webhooks: { signingSecrets: SECRETS, retryScheduleSeconds: [1, 2], maxConcurrency: 4, maxPerEndpoint: 2 } });
    sut = new WebhookDispatcher(config, repository, new WebhookOutbox(config, clock), sender as unknown as WebhookSender, clock);
  });

  afterEach(async () => {
    await sut.onApplicationShutdown();
    await store.close();
  });

  async function settle(): Promise<void> {
    for (let round = 0; round < 20; round += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      await sut.idle();
    }
  }

  it('sends a signed delivery exactly as stored, stamping webhook_sent_at, and records it', async () => {
    const delivery = newDelivery({ url: 'http://127.0.0.1:9/hook?token=a%20b', created_at: clock.now() });
    await repository.insert(delivery);

    sut.start();
    await settle();

    expect(sender.requests).toHaveLength(1);
    const [request] = sender.requests;
    expect(request.url).toBe('http://127.0.0.1:9/hook?token=a%20b');
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Runhook/0.0.0-test',
      'webhook-id': delivery.webhook_id,
      'webhook-timestamp': String(Math.floor(clock.now() / 1000)),
      'webhook-attempt': '1',
    });
    expect(JSON.parse(request.body).webhook_sent_at).toBe(new Date(clock.now()).toISOString());
    expect(verifySignature({ headers: request.headers, body: request.body, secrets: SECRETS, now: () => new Date(clock.now()) })).toEqual({ ok: true });
    expect(await repository.get(delivery.delivery_id)).toMatchObject({ status: 'succeeded', attempts: 1, attempts_log: [expect.objectContaining({ status_code: 200, response_excerpt: 'answer 200' })] });
  });

  it('retries on schedule with the same webhook-id, then succeeds on attempt 3', async () => {
    const delivery = newDelivery({ created_at: clock.now() });
    sender.answer(delivery.url, [503, 500, 200]);
    await repository.insert(delivery);
    sut.start();
    await settle();

    expect(await repository.get(delivery.delivery_id)).toMatchObject({ status: 'pending', attempts: 1 });
    clock.advance(1_200);
    sut.wake();
    await settle();
    clock.advance(2_400);
    sut.wake();
    await settle();

    expect(sender.requests.map((request) => [request.headers['webhook-id'], request.headers['webhook-attempt']])).toEqual([
      [delivery.webhook_id, '1'],
      [delivery.webhook_id, '2'],
      [delivery.webhook_id, '3'],
    ]);
    expect(await repository.get(delivery.delivery_id)).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('stops at 410 and fails once the schedule is exhausted', async () => {
    const gone = newDelivery({ url: 'http://127.0.0.1:9/gone', created_at: clock.now() });
    const dead = newDelivery({ url: 'http://127.0.0.1:9/dead', created_at: clock.now() });
    sender.answer(gone.url, [410]);
    sender.answer(dead.url, [500, 500, 500, 500]);
    await repository.insert(gone);
    await repository.insert(dead);
    sut.start();
    for (let round = 0; round < 4; round += 1) {
      await settle();
      clock.advance(3_000);
      sut.wake();
    }
    await settle();

    expect((await repository.get(gone.delivery_id))?.status).toBe('gone');
    expect(await repository.get(dead.delivery_id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(sender.requests.filter((request) => request.url === gone.url)).toHaveLength(1);
  });

  it('never lets a stuck endpoint hold up deliveries to others', async () => {
    const slow = 'http://10.9.9.9/slow';
    sender.hold(slow);
    for (let i = 0; i < 6; i += 1) await repository.insert(newDelivery({ url: slow, created_at: clock.now() - 100 + i }));
    const healthy = Array.from({ length: 10 }, (_, i) => newDelivery({ url: `http://127.0.0.${(i % 3) + 1}:9/ok`, created_at: clock.now() + i }));
    for (const delivery of healthy) await repository.insert(delivery);
    clock.advance(100);

    sut.start();
    await settle_until(async () => (await repository.search({ status: 'succeeded' }, 100, 0)).total === 10);

    expect(sender.requests.filter((request) => request.url === slow)).toHaveLength(2);
    sender.release(slow);
    await settle_until(async () => (await repository.search({ status: 'succeeded' }, 100, 0)).total === 16);
  });

  it('re-sends, after its lease ends, a delivery a killed dispatcher had claimed', async () => {
    const delivery = newDelivery({ created_at: clock.now() });
    await repository.insert(delivery);
    await repository.claim({ owner: 'killed', nowMs: clock.now(), leaseUntilMs: clock.now() + 5_000, limit: 1, perEndpoint: 1, busy: new Map() });
    clock.advance(5_001);

    sut.start();
    await settle_until(async () => (await repository.get(delivery.delivery_id))?.status === 'succeeded');
    expect(sender.requests).toHaveLength(1);
  });

  /** Turns the event loop until `check` holds, without waiting for requests that are held open. */
  async function settle_until(check: () => Promise<boolean>): Promise<void> {
    for (let round = 0; round < 200; round += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      if (await check()) return;
      sut.wake();
    }
    throw new Error('condition not reached');
  }
});
