import { parseSigningSecrets, verifySignature } from '@runhook/webhooks';
import { RunhookMetrics } from '../observability/runhook-metrics';
import { describeEachStore, type StoreFixture } from '../persistence/testing/store-fixture';
import type { DeliveriesRepository } from './deliveries.repository';
import { newDelivery } from './testing/delivery-fixtures';
import { ManualClock } from './testing/manual-clock';
import { type TestConfigOptions, webhookTestConfig } from './testing/webhook-test-config';
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

  /** Runs before each send is answered (a test looks at the database as the send sees it). */
  beforeSend: ((request: SendRequest) => Promise<void>) | null = null;

  async send(request: SendRequest): Promise<SendResult> {
    this.requests.push(request);
    await this.beforeSend?.(request);
    if (this.holding.has(request.url)) {
      await new Promise<void>((resolve) => {
        this.held.set(request.url, [...(this.held.get(request.url) ?? []), resolve]);
        request.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      // As undici does: an aborted request has no answer.
      if (request.signal?.aborted) return { statusCode: null, error: 'aborted', excerpt: null, retryAfter: undefined, timedOut: false };
    }
    const code = this.scripts.get(request.url)?.shift() ?? 200;
    return { statusCode: code, error: code < 300 ? null : `HTTP ${code}`, excerpt: `answer ${code}`, retryAfter: undefined, timedOut: false };
  }

  async close(): Promise<void> {
    // Holds no connections.
  }
}

describeEachStore((name, factory) =>
describe(`WebhookDispatcher on ${name}`, () => {
  let store: StoreFixture;
  let repository: DeliveriesRepository;
  let clock: ManualClock;
  let sender: ScriptedSender;
  let sut: WebhookDispatcher;
  let metrics: RunhookMetrics;
  const others: WebhookDispatcher[] = [];

  function dispatcher(options: TestConfigOptions = {}): WebhookDispatcher {
    const config = webhookTestConfig({
      ...options,
      webhooks: { signingSecrets: SECRETS, retryScheduleSeconds: [1, 2], maxConcurrency: 4, maxPerEndpoint: 2, ...options.webhooks },
    });
    return new WebhookDispatcher(config, repository, new WebhookOutbox(config, clock), sender as unknown as WebhookSender, clock, metrics);
  }

  beforeEach(async () => {
    store = await factory();
    repository = store.deliveries;
    clock = new ManualClock();
    sender = new ScriptedSender();
    metrics = new RunhookMetrics();
    sut = dispatcher();
  });

  afterEach(async () => {
    for (const other of others.splice(0)) await other.onApplicationShutdown();
    await sut.onApplicationShutdown();
    await store.close();
  });

  /**
   * Waits (on events, not on the manual clock) until the dispatcher has nothing left to do now: nothing being
   * sent and nothing due. PostgreSQL answers take real time, so a fixed number of loop turns is not enough.
   */
  async function settle(): Promise<void> {
    await settle_until(async () => {
      await sut.idle();
      // Pending first, then delivering: a row moving pending → delivering → done between the reads is seen in one.
      const pending = await repository.search({ status: 'pending' }, 1_000, 0);
      const delivering = await repository.search({ status: 'delivering' }, 1, 0);
      return delivering.total === 0 && pending.items.every((delivery) => Date.parse(delivery.next_attempt_at ?? '') > clock.now());
    });
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

  it('sends a claimed delivery only once the disk has its claim, and keeps claiming while the disk is slow', async () => {
    let diskDone!: () => void;
    const disk = new Promise<void>((resolve) => (diskDone = resolve));
    const durable = jest.spyOn(repository, 'untilDurable').mockReturnValue(disk);
    const first = newDelivery({ url: 'http://127.0.0.1:9/first', created_at: clock.now() });
    await repository.insert(first);
    sut.start();
    await settle_until(async () => (await repository.get(first.delivery_id))?.status === 'delivering');
    // A run end committed while the first claim's sync is still under way is claimed at once as well.
    const second = newDelivery({ url: 'http://127.0.0.1:9/second', created_at: clock.now() });
    await repository.insert(second);
    sut.wake();
    await settle_until(async () => (await repository.get(second.delivery_id))?.status === 'delivering');
    expect(sender.requests).toHaveLength(0);

    diskDone();
    await settle();
    expect(sender.requests.map((request) => request.url)).toEqual([first.url, second.url]);
    expect(durable).toHaveBeenCalled();
    expect(await repository.get(second.delivery_id)).toMatchObject({ status: 'succeeded' });
  });

  it('tells a waiter of an outcome only once the outcome is on disk', async () => {
    const delivery = newDelivery({ created_at: clock.now() });
    sender.hold(delivery.url);
    await repository.insert(delivery);
    let diskDone!: () => void;
    const disk = new Promise<void>((resolve) => (diskDone = resolve));
    sut.start();
    await settle_until(async () => sender.requests.length === 1);
    jest.spyOn(repository, 'untilDurable').mockReturnValue(disk);
    let told = false;
    const waited = sut.waitForAttempt(delivery.delivery_id, 60_000).then(() => (told = true));
    sender.release(delivery.url);
    await settle_until(async () => (await repository.get(delivery.delivery_id))?.status === 'succeeded');
    expect(told).toBe(false);
    diskDone();
    await waited;
    expect(told).toBe(true);
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
    // Each attempt is counted under its outcome, and each one's latency observed.
    const counted = (await metrics.deliveryAttempts.get()).values.map(({ labels, value }) => [labels['outcome'], value]);
    expect(counted.sort()).toEqual([['retry', 2], ['succeeded', 1]]);
    expect((await metrics.attemptDuration.get()).values.find((value) => value.metricName?.endsWith('_count'))?.value).toBe(3);
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

  it('at shutdown, records the sends that answer within the grace and hands back the rest, due now, no attempt counted', async () => {
    const slow = 'http://10.9.9.9/slow';
    sender.hold(slow);
    const quick = newDelivery({ url: 'http://127.0.0.1:9/ok', created_at: clock.now() });
    const stuck = newDelivery({ url: slow, created_at: clock.now() });
    await repository.insert(quick);
    await repository.insert(stuck);
    sut.start();
    await settle_until(async () => (await repository.get(quick.delivery_id))?.status === 'succeeded' && sender.requests.length === 2);

    let endGrace!: () => void;
    const drained = sut.drain(new Promise<void>((resolve) => (endGrace = resolve)));
    endGrace();
    await expect(drained).resolves.toEqual({ released: 1 });

    expect(await repository.get(stuck.delivery_id)).toMatchObject({ status: 'pending', attempts: 0, attempts_log: [], next_attempt_at: new Date(clock.now()).toISOString() });

    // Another process takes it at once, long before the lease the stopped one had would have lapsed.
    sender.release(slow);
    const next = dispatcher();
    others.push(next);
    next.start();
    await settle_until(async () => (await repository.get(stuck.delivery_id))?.status === 'succeeded');
    expect(await repository.get(stuck.delivery_id)).toMatchObject({ attempts: 1 });
  });

  it('re-sends, after its lease ends, a delivery a killed dispatcher had claimed', async () => {
    const delivery = newDelivery({ created_at: clock.now() });
    await repository.insert(delivery);
    await repository.claim({ owner: 'killed', nowMs: clock.now(), leaseUntilMs: clock.now() + 5_000, limit: 1, perEndpoint: 1 });
    clock.advance(5_001);

    sut.start();
    await settle_until(async () => (await repository.get(delivery.delivery_id))?.status === 'succeeded');
    expect(sender.requests).toHaveLength(1);
  });

  it('refuses, without sending, a queued retry the policy no longer allows, and says why', async () => {
    const delivery = newDelivery({ url: 'http://127.0.0.1:9/hook?token=s3cret', created_at: clock.now() });
    sender.answer(delivery.url, [503]);
    await repository.insert(delivery);
    sut.start();
    await settle();
    expect(await repository.get(delivery.delivery_id)).toMatchObject({ status: 'pending', attempts: 1 });

    // A restart with a tightened webhooks.url policy: the retry queued under the old one is stopped.
    await sut.onApplicationShutdown();
    sut = dispatcher({ policy: { allowedDomains: ['hooks.example.com'] } });
    clock.advance(1_200);
    sut.start();
    await settle();

    expect(sender.requests).toHaveLength(1);
    const refused = await repository.get(delivery.delivery_id);
    expect(refused).toMatchObject({ status: 'refused', attempts: 2, last_status_code: null, last_error: expect.stringContaining('not in webhooks.url.allowed_domains') });
    expect(refused?.attempts_log[1]).toMatchObject({ attempt: 2, status_code: null, error: expect.stringMatching(/^refused by webhooks.url policy: URL host 127.0.0.1/) });
    expect((await repository.search({ status: 'refused' }, 10, 0)).total).toBe(1);
  });

  it.each([
    ['require_https', { requireHttps: true }, /must use https/],
    ['allowed_ports', { allowedPorts: [443] }, /port 9 is not in webhooks.url.allowed_ports/],
    ['max_url_length', { maxUrlLength: 20 }, /longer than 20 characters/],
  ])('applies %s at send time, to redeliveries too', async (_rule, policy, reason) => {
    const delivery = newDelivery({ url: 'http://127.0.0.1:9/hook', created_at: clock.now() });
    await repository.insert(delivery);
    sut.start();
    await settle();
    expect((await repository.get(delivery.delivery_id))?.status).toBe('succeeded');

    await sut.onApplicationShutdown();
    sut = dispatcher({ policy });
    sut.start();
    expect(await repository.redeliver(delivery.delivery_id, clock.now())).toBe('queued');
    sut.wake();
    await settle();

    expect(sender.requests).toHaveLength(1);
    expect(await repository.get(delivery.delivery_id)).toMatchObject({ status: 'refused', attempts: 2, last_error: expect.stringMatching(reason) });
  });

  it('keeps WEBHOOK_MAX_PER_ENDPOINT across dispatchers sharing the database', async () => {
    const slow = 'http://10.9.9.9/slow';
    sender.hold(slow);
    for (let i = 0; i < 6; i += 1) await repository.insert(newDelivery({ url: slow, created_at: clock.now() - 100 + i }));
    const second = dispatcher();
    others.push(second);

    sut.start();
    second.start();
    await settle_until(async () => sender.requests.length >= 2);
    // Both keep claiming; the two leased rows in the table stop either from taking a third.
    // (idle() would wait for the held requests, so this gives their claim loops a few real turns instead.)
    for (let round = 0; round < 20; round += 1) {
      sut.wake();
      second.wake();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    expect(sender.requests).toHaveLength(2);
    sender.release(slow);
    await settle_until(async () => (await repository.search({ status: 'succeeded' }, 100, 0)).total === 6);
  });

  /**
   * One endpoint, two paths: a quick delivery first, then nine whose sends are held open. Once the quick one has
   * answered, the dispatcher leases rows of that endpoint ahead of its two send slots: three times as many again.
   */
  async function endpointWithRowsAhead(): Promise<{ held: string; rows: string[] }> {
    const quick = 'http://127.0.0.1:9/quick';
    const held = 'http://127.0.0.1:9/held';
    sender.hold(held);
    const first = newDelivery({ url: quick, created_at: clock.now() - 100 });
    await repository.insert(first);
    const rows: string[] = [];
    for (let i = 0; i < 9; i += 1) {
      const delivery = newDelivery({ url: held, created_at: clock.now() - 50 + i });
      await repository.insert(delivery);
      rows.push(delivery.delivery_id);
    }
    sut = dispatcher({ webhooks: { maxConcurrency: 16 } });
    sut.start();
    await settle_until(async () => (await repository.search({ status: 'delivering' }, 100, 0)).total === 8 && sender.requests.length === 3);
    return { held, rows };
  }

  it('leases rows ahead for an endpoint that answers quickly, and still sends no more at once than its limit', async () => {
    const { held } = await endpointWithRowsAhead();
    // Two sends open to the endpoint, six rows leased ahead of them, one left pending; more claims change nothing.
    for (let round = 0; round < 10; round += 1) {
      sut.wake();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(sender.requests.map((request) => request.url)).toEqual(['http://127.0.0.1:9/quick', held, held]);
    expect((await repository.search({ status: 'delivering' }, 100, 0)).total).toBe(8);
    expect((await repository.search({ status: 'pending' }, 100, 0)).total).toBe(1);

    sender.release(held);
    await settle();
    expect((await repository.search({ status: 'succeeded' }, 100, 0)).total).toBe(10);
    expect(sender.requests).toHaveLength(10);
  });

  it('records an outcome held back behind a backlog within moments, while the backlog still waits', async () => {
    const { held } = await endpointWithRowsAhead();
    const other = newDelivery({ url: 'http://127.0.0.1:10/other', created_at: clock.now() - 10 });
    await repository.insert(other);
    sut.wake();
    // Six rows still wait for the held endpoint's slots; the slow poll (1 s) is not what records the outcome.
    const deadline = Date.now() + 500;
    let recorded = false;
    while (!recorded && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      recorded = (await repository.get(other.delivery_id))?.status === 'succeeded';
    }
    expect(recorded).toBe(true);
    expect(sender.requests.filter((request) => request.url === held)).toHaveLength(2);
    sender.release(held);
    await settle();
  });

  it('drains a backlog to a quick endpoint in a few large claims, not one per send, within its send limit', async () => {
    const url = 'http://127.0.0.1:9/backlog';
    const total = 120;
    const perEndpoint = 4;
    for (let i = 0; i < total; i += 1) await repository.insert(newDelivery({ url, created_at: clock.now() - total + i }));
    // Answers come one every two loop turns, in order: sends end one by one, and slower than a claim is made.
    let open = 0;
    let mostOpen = 0;
    let answered: Promise<void> = Promise.resolve();
    sender.beforeSend = async () => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
      answered = answered.then(turn).then(turn);
      await answered;
      open -= 1;
    };
    const claims = [jest.spyOn(repository, 'claim'), jest.spyOn(repository, 'completeAndClaim')];
    // Only timeouts are frozen: the few milliseconds an outcome may be held back are the machine's speed, not the
    // rule under test. Outcomes must still go in with one claim once the backlog runs low or a batch has gathered.
    jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'] });
    try {
      sut = dispatcher({ webhooks: { maxConcurrency: 32, maxPerEndpoint: perEndpoint } });
      sut.start();
      // Waits without waking the dispatcher, which would start a cycle of its own.
      const deadline = Date.now() + 15_000;
      while ((await repository.search({ status: 'succeeded' }, 1, 0)).total < total && Date.now() < deadline) {
        for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      jest.useRealTimers();
    }

    expect((await repository.search({ status: 'succeeded' }, 1, 0)).total).toBe(total);
    expect(sender.requests).toHaveLength(total);
    expect(mostOpen).toBe(perEndpoint);
    // A completeAndClaim may claim through claim(): the same answer, counted once.
    const answers = new Set(await Promise.all(claims.flatMap((spy) => spy.mock.results.map((result) => result.value as Promise<unknown[]>))));
    const sizes = [...answers].map((claimed) => claimed.length).filter((size) => size > 0);
    // A claim per send's end leased a row or so at a time (over 100 claims), and never more than twice the send limit.
    expect(sizes.length).toBeLessThanOrEqual(total / 5);
    expect(Math.max(...sizes)).toBeGreaterThan(2 * perEndpoint);
  }, 20_000);

  it('does not send a row that waited for its slot so long that the send could outlast its lease: it is claimed afresh', async () => {
    const { held, rows } = await endpointWithRowsAhead();
    const claimedAt = new Map<string, string | undefined>();
    sender.beforeSend = async (request) => {
      const row = (await repository.search({}, 100, 0)).items.find((item) => item.webhook_id === request.headers['webhook-id']);
      claimedAt.set(row?.delivery_id ?? '', row?.updated_at);
    };
    // The six rows waiting ahead now have less than one send timeout left on their lease (5 s lease, 2 s timeout).
    clock.advance(3_000);
    sender.release(held);
    await settle();

    // Each was sent once, under a lease taken after the wait rather than the one it waited with.
    const now = new Date(clock.now()).toISOString();
    expect(rows.slice(2, 8).map((id) => claimedAt.get(id))).toEqual(Array(6).fill(now));
    expect((await repository.search({ status: 'succeeded' }, 100, 0)).items.map((row) => row.attempts)).toEqual(Array(10).fill(1));
    expect(sender.requests).toHaveLength(10);
  });

  /** Turns the event loop until `check` holds, without waiting for requests that are held open. */
  async function settle_until(check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      if (await check()) return;
      sut.wake();
    }
    throw new Error('condition not reached');
  }
}),
);
