import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSigningSecret } from '@runhook/webhooks';
import { firstValueFrom, take, toArray } from 'rxjs';
import { buildRunPayload, OTHER_SIGNING_SECRET, signedHeaders, TEST_SIGNING_SECRET, TEST_TOKEN } from '../../test/webhook-fixtures';
import { Clock } from '../common/clock';
import type { ReceiverConfig } from '../config/receiver-config';
import { DeliveryErrorCode, DeliveryException } from './deliveries.exception';
import { DeliveriesService, IncomingDelivery } from './deliveries.service';
import { SqliteDeliveriesRepository } from './sqlite-deliveries.repository';

const NOW = new Date('2025-03-01T12:00:00.000Z');

class FixedClock extends Clock {
  constructor(public current: Date) {
    super();
  }
  now(): Date {
    return this.current;
  }
}

describe('DeliveriesService', () => {
  let folder: string;
  let repository: SqliteDeliveriesRepository;
  let clock: FixedClock;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'receiver-spec-'));
    repository = new SqliteDeliveriesRepository(join(folder, 'receiver.sqlite'));
    clock = new FixedClock(NOW);
  });

  afterEach(() => {
    repository.onModuleDestroy();
    rmSync(folder, { recursive: true, force: true });
  });

  function createSut(overrides: Partial<ReceiverConfig> = {}): DeliveriesService {
    const config: ReceiverConfig = {
      host: '127.0.0.1',
      port: 0,
      webhookPath: '/webhooks',
      databasePath: join(folder, 'receiver.sqlite'),
      token: TEST_TOKEN,
      readToken: undefined,
      signingSecrets: [parseSigningSecret(TEST_SIGNING_SECRET)],
      failFirst: 0,
      ...overrides,
    };
    return new DeliveriesService(repository, config, clock);
  }

  function delivery(options: { webhookId?: string; token?: string; secrets?: string[]; timestamp?: Date; body?: string } = {}): IncomingDelivery {
    const webhookId = options.webhookId ?? 'msg_1';
    const body = options.body ?? JSON.stringify(buildRunPayload({ runEndedAt: new Date(NOW.getTime() - 250) }));
    const headers = signedHeaders({ webhookId, body, secrets: options.secrets, timestamp: options.timestamp ?? NOW, attempt: 2 });
    const query = options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}&tenant=acme`;
    return { rawBody: Buffer.from(body, 'utf8'), headers, url: `/webhooks${query}` };
  }

  async function rejection(promise: Promise<unknown>): Promise<{ code: DeliveryErrorCode; detail: string }> {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DeliveryException);
    const { code, detail } = error as DeliveryException;
    return { code, detail };
  }

  it('stores a verified delivery with its latency, attempt and redacted query', async () => {
    const sut = createSut();
    await expect(sut.receive(delivery({ token: TEST_TOKEN }))).resolves.toEqual({ ok: true });

    const stored = await sut.get('msg_1');
    expect(stored).toMatchObject({
      webhook_id: 'msg_1',
      status: 'success',
      attempt: 2,
      verified: true,
      latency_ms: 250,
      duplicates: 0,
      received_at: NOW.toISOString(),
      query: '?token=REDACTED&tenant=acme',
    });
    expect(stored.body).not.toContain(TEST_TOKEN);
    expect(stored.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('stores a duplicate webhook-id once and counts it', async () => {
    const sut = createSut();
    await sut.receive(delivery({ token: TEST_TOKEN }));
    clock.current = new Date(NOW.getTime() + 5000);
    await expect(sut.receive(delivery({ token: TEST_TOKEN, timestamp: clock.current }))).resolves.toEqual({ ok: true, duplicate: true });
    await expect(sut.receive(delivery({ token: TEST_TOKEN, timestamp: clock.current }))).resolves.toEqual({ ok: true, duplicate: true });

    const list = await sut.list(undefined);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ webhook_id: 'msg_1', duplicates: 2, received_at: NOW.toISOString(), last_duplicate_at: clock.current.toISOString() });
  });

  it.each([
    ['a wrong token', 'not-the-token'],
    ['a missing token', undefined],
    ['an empty token', ''],
  ])('refuses %s', async (_label, token) => {
    const sut = createSut();
    await expect(rejection(sut.receive(delivery({ token })))).resolves.toEqual({ code: DeliveryErrorCode.InvalidToken, detail: 'invalid token' });
    await expect(sut.list(undefined)).resolves.toEqual([]);
  });

  it('skips the token check when no token is configured', async () => {
    await expect(createSut({ token: undefined }).receive(delivery())).resolves.toEqual({ ok: true });
  });

  it.each([
    ['signed with another secret', { secrets: [OTHER_SIGNING_SECRET] }, 'no-matching-signature'],
    ['unsigned', { secrets: [] }, 'missing-headers'],
    ['stamped six minutes ago', { timestamp: new Date(NOW.getTime() - 360_000) }, 'timestamp-too-old'],
    ['stamped six minutes ahead', { timestamp: new Date(NOW.getTime() + 360_000) }, 'timestamp-too-new'],
  ])('refuses a delivery %s', async (_label, options, reason) => {
    const sut = createSut();
    await expect(rejection(sut.receive(delivery({ token: TEST_TOKEN, ...options })))).resolves.toEqual({
      code: DeliveryErrorCode.InvalidSignature,
      detail: `invalid signature: ${reason}`,
    });
  });

  it('refuses a tampered body', async () => {
    const sut = createSut();
    const tampered = delivery({ token: TEST_TOKEN });
    tampered.rawBody = Buffer.from(tampered.rawBody?.toString('utf8').replace('"success"', '"error"') ?? '', 'utf8');
    await expect(rejection(sut.receive(tampered))).resolves.toMatchObject({ detail: 'invalid signature: no-matching-signature' });
  });

  it('refuses a bad timestamp header', async () => {
    const sut = createSut();
    const request = delivery({ token: TEST_TOKEN });
    request.headers['webhook-timestamp'] = `${request.headers['webhook-timestamp']}x`;
    await expect(rejection(sut.receive(request))).resolves.toMatchObject({ detail: 'invalid signature: bad-timestamp' });
  });

  it('accepts unsigned deliveries and records them as unchecked when no secret is configured', async () => {
    const sut = createSut({ signingSecrets: [] });
    await sut.receive(delivery({ token: TEST_TOKEN, secrets: [] }));
    await expect(sut.get('msg_1')).resolves.toMatchObject({ verified: null });
  });

  it.each([
    ['not JSON', 'not json', 'body is not valid JSON'],
    ['not a run', '{"hello":"world"}', 'invalid payload: '],
  ])('refuses a correctly signed body that is %s', async (_label, body, detail) => {
    const sut = createSut();
    const result = await rejection(sut.receive(delivery({ token: TEST_TOKEN, body })));
    expect(result.code).toBe(DeliveryErrorCode.InvalidBody);
    expect(result.detail).toContain(detail);
  });

  it('answers 503 to the first RECEIVER_FAIL_FIRST attempts of each webhook-id, then stores it', async () => {
    const sut = createSut({ failFirst: 2 });
    for (const webhookId of ['msg_1', 'msg_2']) {
      await expect(rejection(sut.receive(delivery({ webhookId, token: TEST_TOKEN })))).resolves.toMatchObject({ code: DeliveryErrorCode.SimulatedFailure });
      await expect(rejection(sut.receive(delivery({ webhookId, token: TEST_TOKEN })))).resolves.toMatchObject({ code: DeliveryErrorCode.SimulatedFailure });
      await expect(sut.receive(delivery({ webhookId, token: TEST_TOKEN }))).resolves.toEqual({ ok: true });
    }
    await expect(sut.list(undefined)).resolves.toHaveLength(2);
  });

  it('lists newest first and honours the limit', async () => {
    const sut = createSut();
    for (const webhookId of ['msg_1', 'msg_2', 'msg_3']) {
      await sut.receive(delivery({ webhookId, token: TEST_TOKEN }));
    }
    expect((await sut.list('2')).map((view) => view.webhook_id)).toEqual(['msg_3', 'msg_2']);
  });

  it.each(['0', '-1', '1.5', 'ten', '1001'])('refuses limit %j', async (limit) => {
    await expect(rejection(createSut().list(limit))).resolves.toMatchObject({ code: DeliveryErrorCode.InvalidQuery });
  });

  it('answers not found for an unknown webhook-id', async () => {
    await expect(rejection(createSut().get('msg_unknown'))).resolves.toEqual({
      code: DeliveryErrorCode.NotFound,
      detail: 'no delivery with webhook-id msg_unknown',
    });
  });

  it('announces new and updated deliveries on the event stream', async () => {
    const sut = createSut();
    const announced = firstValueFrom(sut.events().pipe(take(2), toArray()));
    await sut.receive(delivery({ token: TEST_TOKEN }));
    await sut.receive(delivery({ token: TEST_TOKEN }));
    const events = await announced;
    expect(events.map((event) => [event.type, (event.data as { duplicates: number }).duplicates])).toEqual([
      ['delivery', 0],
      ['delivery', 1],
    ]);
  });
});
