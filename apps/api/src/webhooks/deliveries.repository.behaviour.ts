import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type ClaimRequest, type DeliveriesRepository, type DeliveryCompletion, DuplicateDeliveryError } from './deliveries.repository';
import { newDelivery } from './testing/delivery-fixtures';

export interface DeliveriesFixture {
  repository: DeliveriesRepository;
  close(): Promise<void>;
}

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const A = 'http://127.0.0.1:9/a';
const B = 'http://127.0.0.2:9/b';

function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { owner: 'worker-1', nowMs: T0, leaseUntilMs: T0 + 30_000, limit: 10, perEndpoint: 8, ...overrides };
}

function completion(deliveryId: string, overrides: Partial<DeliveryCompletion> = {}): DeliveryCompletion {
  return {
    delivery_id: deliveryId,
    owner: 'worker-1',
    attempt: { attempt: 1, started_at: T0, duration_ms: 12, status_code: 200, error: null, response_excerpt: 'ok' },
    status: 'succeeded',
    next_attempt_at: null,
    now: T0 + 12,
    ...overrides,
  };
}

/** The behaviour every DeliveriesRepository adapter must have; call it from an adapter's int-spec. */
export function describeDeliveriesRepository(adapter: string, factory: () => Promise<DeliveriesFixture>): void {
  describe(`DeliveriesRepository (${adapter})`, () => {
    let fixture: DeliveriesFixture;
    let sut: DeliveriesRepository;

    beforeEach(async () => {
      fixture = await factory();
      sut = fixture.repository;
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('stores a delivery as pending and due at once; a second one with the same webhook_id is an error, not a drop', async () => {
      const delivery = newDelivery();

      await sut.insert(delivery);
      await expect(sut.insert({ ...newDelivery(), webhook_id: delivery.webhook_id })).rejects.toBeInstanceOf(DuplicateDeliveryError);
      expect((await sut.search({ run_id: delivery.run_id }, 10, 0)).total).toBe(1);
      expect(await sut.get(delivery.delivery_id)).toMatchObject({
        delivery_id: delivery.delivery_id,
        webhook_id: delivery.webhook_id,
        url: delivery.url,
        status: 'pending',
        attempts: 0,
        next_attempt_at: new Date(T0).toISOString(),
        created_at: new Date(T0).toISOString(),
        delivered_at: null,
        attempts_log: [],
      });
    });

    it('claims due deliveries oldest first, each once, with their payload', async () => {
      const later = newDelivery({ created_at: T0 + 5 });
      const first = newDelivery({ created_at: T0 - 5 });
      const future = newDelivery({ created_at: T0 + 60_000 });
      for (const delivery of [later, first, future]) await sut.insert(delivery);

      const claimed = await sut.claim(claimRequest());

      expect(claimed.map((delivery) => delivery.delivery_id)).toEqual([first.delivery_id]);
      expect(claimed[0]).toEqual({
        delivery_id: first.delivery_id,
        webhook_id: first.webhook_id,
        url: first.url,
        endpoint: first.endpoint,
        payload: first.payload,
        attempts: 0,
        run_id: first.run_id,
        thread_id: first.thread_id,
        cron_id: null,
        send_limit: 8,
      });
      expect((await sut.get(first.delivery_id))?.status).toBe('delivering');
      expect(await sut.claim(claimRequest({ nowMs: T0 + 10 }))).toEqual([expect.objectContaining({ delivery_id: later.delivery_id })]);
      expect(await sut.claim(claimRequest({ nowMs: T0 + 10 }))).toEqual([]);
    });

    it('keeps each endpoint under its in-flight limit', async () => {
      for (let i = 0; i < 5; i += 1) await sut.insert(newDelivery({ url: A, created_at: T0 - 100 + i }));
      for (let i = 0; i < 3; i += 1) await sut.insert(newDelivery({ url: B, created_at: T0 - 50 + i }));

      const first = await sut.claim(claimRequest({ perEndpoint: 2 }));
      // Another process (no local counts): the rows leased in the table count, so nothing more is claimable.
      const second = await sut.claim(claimRequest({ owner: 'worker-2', perEndpoint: 2 }));
      await sut.complete([completion(first[3].delivery_id)]);
      const third = await sut.claim(claimRequest({ owner: 'worker-2', perEndpoint: 2 }));
      // The claiming owner's own leased rows count against it too (sent, their outcome not yet written).
      const fourth = await sut.claim(claimRequest({ perEndpoint: 2 }));

      expect(first.map((delivery) => delivery.url)).toEqual([A, A, B, B]);
      expect(second).toEqual([]);
      expect(third.map((delivery) => delivery.url)).toEqual([B]);
      expect(fourth).toEqual([]);
    });

    it('leases ahead for the endpoints named, and gives each claim the sends other owners leave room for', async () => {
      for (let i = 0; i < 6; i += 1) await sut.insert(newDelivery({ url: A, created_at: T0 - 100 + i }));
      for (let i = 0; i < 3; i += 1) await sut.insert(newDelivery({ url: B, created_at: T0 - 100 + i }));
      const ahead = { perEndpoint: 2, ahead: new Map([[new URL(A).origin, 2]]) };

      const first = await sut.claim(claimRequest(ahead));
      // Everything worker-1 holds may be sent by it: worker-2 gets no share until those rows are done.
      const crowdedOut = await sut.claim(claimRequest({ ...ahead, owner: 'worker-2' }));
      await sut.complete(first.filter((delivery) => delivery.url === A).slice(0, 3).map((delivery) => completion(delivery.delivery_id)));
      const second = await sut.claim(claimRequest({ ...ahead, owner: 'worker-2' }));

      // B is not named: no rows ahead of what may be sent.
      expect(first.filter((delivery) => delivery.url === A).map((delivery) => delivery.send_limit)).toEqual([2, 2, 2, 2]);
      expect(first.filter((delivery) => delivery.url === B).map((delivery) => delivery.send_limit)).toEqual([2, 2]);
      expect(crowdedOut.map((delivery) => delivery.url)).toEqual([]);
      // worker-1 still holds one row of A and two of B: worker-2 may send one at a time to A and leases the two left.
      expect(second.map((delivery) => [delivery.url, delivery.send_limit])).toEqual([[A, 1], [A, 1]]);
    });

    it('records outcomes and claims in one call, the recorded rows no longer counting against their endpoint', async () => {
      for (let i = 0; i < 3; i += 1) await sut.insert(newDelivery({ url: A, created_at: T0 - 100 + i }));
      const first = await sut.claim(claimRequest({ perEndpoint: 2 }));

      const next = await sut.completeAndClaim([completion(first[0].delivery_id)], claimRequest({ perEndpoint: 2, nowMs: T0 + 20 }));

      expect(next).toHaveLength(1);
      expect(next[0].delivery_id).not.toBe(first[1].delivery_id);
      expect(await sut.get(first[0].delivery_id)).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect((await sut.get(next[0].delivery_id))?.status).toBe('delivering');
    });

    it('ignores leases that have run out when counting what is in flight', async () => {
      for (let i = 0; i < 3; i += 1) await sut.insert(newDelivery({ url: A, created_at: T0 - 100 + i }));
      await sut.claim(claimRequest({ perEndpoint: 2, leaseUntilMs: T0 + 10 }));

      const later = await sut.claim(claimRequest({ owner: 'worker-2', nowMs: T0 + 11, perEndpoint: 2 }));

      expect(later.map((delivery) => delivery.url)).toEqual([A]);
    });

    it('gives every endpoint its share of a claim, however long another endpoint\'s backlog', async () => {
      for (let i = 0; i < 60; i += 1) await sut.insert(newDelivery({ url: A, created_at: T0 - 1_000 + i }));
      await sut.insert(newDelivery({ url: B, created_at: T0 - 1 }));

      const claimed = await sut.claim(claimRequest({ limit: 8, perEndpoint: 4 }));

      expect(claimed.map((delivery) => delivery.url)).toEqual([A, A, A, A, B]);
    });

    it('answers untilDurable once what was committed before is durable', async () => {
      const delivery = newDelivery();
      await sut.insert(delivery);
      await sut.claim(claimRequest());
      await expect(sut.untilDurable()).resolves.toBeUndefined();
      expect(await sut.get(delivery.delivery_id)).toMatchObject({ status: 'delivering' });
    });

        it('records an attempt and settles the delivery', async () => {
      const ok = newDelivery();
      const retry = newDelivery();
      await sut.insert(ok);
      await sut.insert(retry);
      await sut.claim(claimRequest());

      await sut.complete([
        completion(ok.delivery_id),
        completion(retry.delivery_id, {
          attempt: { attempt: 1, started_at: T0, duration_ms: 5, status_code: 503, error: 'HTTP 503', response_excerpt: 'busy' },
          status: 'pending',
          next_attempt_at: T0 + 5_000,
        }),
      ]);

      expect(await sut.get(ok.delivery_id)).toMatchObject({
        status: 'succeeded',
        attempts: 1,
        last_status_code: 200,
        delivered_at: new Date(T0 + 12).toISOString(),
        next_attempt_at: null,
        attempts_log: [{ attempt: 1, started_at: new Date(T0).toISOString(), duration_ms: 12, status_code: 200, error: null, response_excerpt: 'ok' }],
      });
      expect(await sut.get(retry.delivery_id)).toMatchObject({
        status: 'pending',
        attempts: 1,
        last_status_code: 503,
        last_error: 'HTTP 503',
        next_attempt_at: new Date(T0 + 5_000).toISOString(),
      });
      expect(await sut.nextDueAt(T0)).toBe(T0 + 5_000);
      expect(await sut.claim(claimRequest({ nowMs: T0 + 4_999 }))).toEqual([]);
      expect(await sut.claim(claimRequest({ nowMs: T0 + 5_000 }))).toEqual([expect.objectContaining({ delivery_id: retry.delivery_id, attempts: 1 })]);
    });

    it('logs but does not settle an attempt whose lease another dispatcher took over', async () => {
      const delivery = newDelivery();
      await sut.insert(delivery);
      await sut.claim(claimRequest());

      await sut.complete([completion(delivery.delivery_id, { owner: 'someone-else' })]);

      expect(await sut.get(delivery.delivery_id)).toMatchObject({ status: 'delivering', attempts: 0, attempts_log: [expect.objectContaining({ attempt: 1 })] });
    });

    it('gives deliveries of a dispatcher that stopped back to the queue once their lease ends', async () => {
      const delivery = newDelivery();
      await sut.insert(delivery);
      await sut.claim(claimRequest({ owner: 'dead', leaseUntilMs: T0 + 1_000 }));

      expect(await sut.reclaimExpired(T0 + 1_000)).toBe(0);
      expect(await sut.reclaimExpired(T0 + 1_001)).toBe(1);
      expect(await sut.claim(claimRequest({ nowMs: T0 + 1_001 }))).toEqual([expect.objectContaining({ delivery_id: delivery.delivery_id })]);
    });

    it('a stopping dispatcher hands back what it holds: due at once, the attempt not counted, others\' leases untouched', async () => {
      const mine = newDelivery();
      const retried = newDelivery();
      const theirs = newDelivery();
      const settled = newDelivery();
      // Inserted and claimed one at a time, so each goes to the dispatcher named here.
      for (const [delivery, owner] of [[mine, 'worker-1'], [retried, 'worker-1'], [theirs, 'worker-2'], [settled, 'worker-1']] as const) {
        await sut.insert(delivery);
        await sut.claim(claimRequest({ owner }));
      }
      // `retried` had one attempt already; `settled` ended before the release.
      await sut.complete([
        completion(retried.delivery_id, { status: 'pending', next_attempt_at: T0, attempt: { attempt: 1, started_at: T0, duration_ms: 1, status_code: 503, error: 'HTTP 503', response_excerpt: null } }),
        completion(settled.delivery_id),
      ]);
      await sut.claim(claimRequest({ nowMs: T0 + 1 }));

      expect(await sut.releaseLeases('worker-1', T0 + 2_000)).toBe(2);

      expect(await sut.get(mine.delivery_id)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: new Date(T0 + 2_000).toISOString() });
      expect(await sut.get(retried.delivery_id)).toMatchObject({ status: 'pending', attempts: 1 });
      expect(await sut.get(theirs.delivery_id)).toMatchObject({ status: 'delivering' });
      expect(await sut.get(settled.delivery_id)).toMatchObject({ status: 'succeeded' });
      // Another dispatcher takes them at once, long before the 30 s lease would have run out.
      const again = await sut.claim(claimRequest({ owner: 'worker-3', nowMs: T0 + 2_000 }));
      expect(again.map((delivery) => [delivery.delivery_id, delivery.attempts]).sort()).toEqual(
        [[mine.delivery_id, 0], [retried.delivery_id, 1]].sort(),
      );
      expect(await sut.releaseLeases('worker-1', T0 + 3_000)).toBe(0);
    });

    it('hands back only the rows named, and only while this owner holds them', async () => {
      const [kept, given, theirs] = [newDelivery(), newDelivery(), newDelivery()];
      for (const [delivery, owner] of [[kept, 'worker-1'], [given, 'worker-1'], [theirs, 'worker-2']] as const) {
        await sut.insert(delivery);
        await sut.claim(claimRequest({ owner }));
      }

      expect(await sut.releaseLeases('worker-1', T0 + 1_000, [given.delivery_id, theirs.delivery_id])).toBe(1);

      expect(await sut.get(given.delivery_id)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: new Date(T0 + 1_000).toISOString() });
      expect((await sut.get(kept.delivery_id))?.status).toBe('delivering');
      expect((await sut.get(theirs.delivery_id))?.status).toBe('delivering');
    });

    it('redelivers a finished delivery now with the same webhook_id, but not one in flight', async () => {
      const delivery = newDelivery();
      await sut.insert(delivery);
      await sut.claim(claimRequest());

      expect(await sut.redeliver(delivery.delivery_id, T0 + 1)).toBe('in-flight');
      await sut.complete([completion(delivery.delivery_id)]);
      expect(await sut.redeliver(delivery.delivery_id, T0 + 100)).toBe('queued');
      expect(await sut.redeliver('00000000-0000-4000-8000-000000000000', T0)).toBe('not-found');
      expect(await sut.get(delivery.delivery_id)).toMatchObject({ status: 'pending', webhook_id: delivery.webhook_id, attempts: 1, next_attempt_at: new Date(T0 + 100).toISOString() });
      expect(await sut.claim(claimRequest({ nowMs: T0 + 100 }))).toEqual([expect.objectContaining({ attempts: 1 })]);
    });

    it('searches by run, thread, cron and status, newest first, with a total', async () => {
      const cronId = '0190aaaa-0000-7000-8000-000000000001';
      const one = newDelivery({ created_at: T0 - 3 });
      const two = newDelivery({ created_at: T0 - 2, thread_id: one.thread_id, cron_id: cronId });
      const three = newDelivery({ created_at: T0 - 1 });
      for (const delivery of [one, two, three]) await sut.insert(delivery);
      await sut.claim(claimRequest({ limit: 1 }));

      const all = await sut.search({}, 2, 0);
      expect(all.total).toBe(3);
      expect(all.items.map((item) => item.delivery_id)).toEqual([three.delivery_id, two.delivery_id]);
      expect((await sut.search({}, 2, 2)).items.map((item) => item.delivery_id)).toEqual([one.delivery_id]);
      expect((await sut.search({ thread_id: one.thread_id as string }, 10, 0)).total).toBe(2);
      expect((await sut.search({ run_id: three.run_id }, 10, 0)).items[0].delivery_id).toBe(three.delivery_id);
      expect((await sut.search({ cron_id: cronId }, 10, 0)).items[0].delivery_id).toBe(two.delivery_id);
      expect((await sut.search({ status: 'delivering' }, 10, 0)).items.map((item) => item.delivery_id)).toEqual([one.delivery_id]);
    });

    it('searches by endpoint, and lists recent attempts with their endpoint, newest first, bounded', async () => {
      const atA = newDelivery({ url: A });
      const atB = newDelivery({ url: B, created_at: T0 + 1 });
      await sut.insert(atA);
      await sut.insert(atB);
      expect((await sut.search({ endpoint: 'http://127.0.0.2:9' }, 10, 0)).items.map((item) => item.delivery_id)).toEqual([atB.delivery_id]);

      await sut.claim(claimRequest());
      const failed = { attempt: 1, started_at: T0 + 5, duration_ms: 40, status_code: 503, error: 'HTTP 503', response_excerpt: 'busy' };
      await sut.complete([
        completion(atA.delivery_id),
        completion(atB.delivery_id, { attempt: failed, status: 'pending', next_attempt_at: T0 + 1_000 }),
      ]);

      expect(await sut.recentAttempts(T0, 10)).toEqual([
        { endpoint: 'http://127.0.0.2:9', started_at: T0 + 5, duration_ms: 40, status_code: 503 },
        { endpoint: 'http://127.0.0.1:9', started_at: T0, duration_ms: 12, status_code: 200 },
      ]);
      expect(await sut.recentAttempts(T0 + 1, 10)).toHaveLength(1);
      expect(await sut.recentAttempts(T0, 1)).toEqual([expect.objectContaining({ started_at: T0 + 5 })]);
    });

    it('purges finished deliveries past retention with their attempts, never pending ones', async () => {
      // Due a millisecond apart, so the claim of one takes `old` whatever the adapter's order among equals.
      const old = newDelivery({ created_at: T0 - 1 });
      const waiting = newDelivery();
      await sut.insert(old);
      await sut.insert(waiting);
      await sut.claim(claimRequest({ limit: 1 }));
      await sut.complete([completion(old.delivery_id)]);

      expect(await sut.purge(T0 + 12, 10)).toBe(0);
      expect(await sut.purge(T0 + 1_000, 10)).toBe(1);
      expect(await sut.get(old.delivery_id)).toBeNull();
      expect(await sut.get(waiting.delivery_id)).not.toBeNull();
    });
  });
}
