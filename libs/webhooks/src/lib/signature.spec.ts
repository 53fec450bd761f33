import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { buildWebhookHeaders, signPayload, verifySignature, WebhookHeaderMap } from './signature';
import { parseSigningSecret } from './signing-secret';

// The example from the Standard Webhooks reference library tests, so our output can be checked by hand.
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TIMESTAMP = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const OLD_SECRET = 'whsec_' + Buffer.from('old-secret-of-24-bytes!!').toString('base64');
const NEW_SECRET = 'whsec_' + Buffer.from('new-secret-of-24-bytes!!').toString('base64');
const OTHER_SECRET = 'whsec_' + Buffer.from('some-other-secret-24byte').toString('base64');

const NOW = new Date('2025-03-01T12:00:00Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const BODY = '{"run_id":"1ef-run","status":"success","note":"héllo"}';

function signedHeaders(overrides: { secrets?: string[]; timestamp?: number; body?: string } = {}): Record<string, string> {
  return buildWebhookHeaders({
    id: 'msg_1',
    timestamp: overrides.timestamp ?? NOW_SECONDS,
    body: overrides.body ?? BODY,
    secrets: (overrides.secrets ?? [NEW_SECRET]).map(parseSigningSecret),
    attempt: 1,
  });
}

function verify(headers: WebhookHeaderMap, secrets: string[] = [NEW_SECRET], body: string | Buffer = BODY) {
  return verifySignature({ headers, body, secrets: secrets.map(parseSigningSecret), now: () => NOW });
}

describe('signPayload', () => {
  it('matches the Standard Webhooks reference example', () => {
    const sut = signPayload({ id: SPEC_ID, timestamp: SPEC_TIMESTAMP, body: SPEC_BODY, secrets: [parseSigningSecret(SPEC_SECRET)] });
    expect(sut).toBe(SPEC_SIGNATURE);
  });

  it('is an HMAC-SHA256 over "id.timestamp.body" in base64', () => {
    const key = parseSigningSecret(NEW_SECRET);
    const expected = createHmac('sha256', key).update(`msg_1.${NOW_SECONDS}.${BODY}`).digest('base64');
    expect(signPayload({ id: 'msg_1', timestamp: NOW, body: BODY, secrets: [key] })).toBe(`v1,${expected}`);
  });

  it('gives the same signature for a string body and its UTF-8 bytes, and for a Date and its seconds', () => {
    const secrets = [parseSigningSecret(NEW_SECRET)];
    const fromString = signPayload({ id: 'msg_1', timestamp: NOW, body: BODY, secrets });
    const fromBytes = signPayload({ id: 'msg_1', timestamp: NOW_SECONDS, body: Buffer.from(BODY, 'utf8'), secrets });
    expect(fromBytes).toBe(fromString);
  });

  it('signs with every secret, space-separated, in order', () => {
    const sut = signPayload({ id: 'msg_1', timestamp: NOW, body: BODY, secrets: [OLD_SECRET, NEW_SECRET].map(parseSigningSecret) });
    expect(sut).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
  });

  it.each([
    ['no secrets', { id: 'msg_1', timestamp: NOW_SECONDS, secrets: [] }, /at least one secret/],
    ['an empty id', { id: '', timestamp: NOW_SECONDS }, /webhook id/],
    ['an id with the delimiter', { id: 'msg.1', timestamp: NOW_SECONDS }, /webhook id/],
    ['a fractional timestamp', { id: 'msg_1', timestamp: 1.5 }, /timestamp/],
    ['a negative timestamp', { id: 'msg_1', timestamp: -1 }, /timestamp/],
    ['an invalid Date', { id: 'msg_1', timestamp: new Date('nope') }, /timestamp/],
  ])('rejects %s', (_label, input, message) => {
    expect(() => signPayload({ body: BODY, secrets: [parseSigningSecret(NEW_SECRET)], ...input })).toThrow(message);
  });
});

describe('buildWebhookHeaders', () => {
  it('gives id, timestamp, signature and attempt', () => {
    const sut = buildWebhookHeaders({ id: 'msg_1', timestamp: NOW, body: BODY, secrets: [parseSigningSecret(NEW_SECRET)], attempt: 3 });
    expect(sut).toEqual({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(NOW_SECONDS),
      'webhook-signature': expect.stringMatching(/^v1,/),
      'webhook-attempt': '3',
    });
  });

  it('leaves the signature out when there is no secret', () => {
    const sut = buildWebhookHeaders({ id: 'msg_1', timestamp: NOW, body: BODY, secrets: [], attempt: 1 });
    expect(sut).toEqual({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW_SECONDS), 'webhook-attempt': '1' });
  });

  it.each([0, -1, 1.5])('rejects attempt %p', (attempt) => {
    expect(() => buildWebhookHeaders({ id: 'msg_1', timestamp: NOW, body: BODY, secrets: [], attempt })).toThrow(/attempt/);
  });
});

describe('verifySignature', () => {
  it('accepts a correctly signed delivery', () => {
    expect(verify(signedHeaders())).toEqual({ ok: true });
  });

  it('accepts the raw body as bytes', () => {
    expect(verify(signedHeaders(), [NEW_SECRET], Buffer.from(BODY, 'utf8'))).toEqual({ ok: true });
  });

  it('looks headers up case-insensitively and accepts single-element arrays', () => {
    const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = signedHeaders();
    expect(verify({ 'Webhook-Id': id, 'WEBHOOK-TIMESTAMP': [timestamp], 'Webhook-Signature': signature })).toEqual({ ok: true });
  });

  it.each([
    ['the old secret only', [OLD_SECRET], [OLD_SECRET, NEW_SECRET]],
    ['the new secret only', [NEW_SECRET], [OLD_SECRET, NEW_SECRET]],
    ['both secrets', [OLD_SECRET, NEW_SECRET], [NEW_SECRET]],
    ['both secrets, receiver knows the old one', [OLD_SECRET, NEW_SECRET], [OLD_SECRET]],
  ])('during a rotation accepts a delivery signed with %s', (_label, signedWith, receiverSecrets) => {
    expect(verify(signedHeaders({ secrets: signedWith }), receiverSecrets)).toEqual({ ok: true });
  });

  it('accepts a v1 entry among other versions and stray spaces', () => {
    const { 'webhook-signature': signature, ...rest } = signedHeaders();
    const mixed = `v1a,${Buffer.alloc(64).toString('base64')}  v2,abc ${signature} v1,${Buffer.alloc(32).toString('base64')}`;
    expect(verify({ ...rest, 'webhook-signature': mixed })).toEqual({ ok: true });
  });

  it('accepts signature entries split over repeated headers', () => {
    const { 'webhook-signature': signature, ...rest } = signedHeaders();
    expect(verify({ ...rest, 'webhook-signature': ['v1,Zm9yZ2Vk', signature] })).toEqual({ ok: true });
  });

  const validHeaders = signedHeaders();
  it.each<[string, WebhookHeaderMap, string]>([
    ['no headers', {}, 'missing-headers'],
    ['no id', { ...validHeaders, 'webhook-id': undefined }, 'missing-headers'],
    ['an empty id', { ...validHeaders, 'webhook-id': '' }, 'missing-headers'],
    ['two ids', { ...validHeaders, 'webhook-id': ['msg_1', 'msg_2'] }, 'missing-headers'],
    ['no timestamp', { ...validHeaders, 'webhook-timestamp': undefined }, 'missing-headers'],
    ['no signature', { ...validHeaders, 'webhook-signature': undefined }, 'missing-headers'],
    ['a blank signature', { ...validHeaders, 'webhook-signature': '  ' }, 'missing-headers'],
    ['a timestamp with trailing garbage', { ...validHeaders, 'webhook-timestamp': `${NOW_SECONDS}abc` }, 'bad-timestamp'],
    ['a fractional timestamp', { ...validHeaders, 'webhook-timestamp': `${NOW_SECONDS}.0` }, 'bad-timestamp'],
    ['a negative timestamp', { ...validHeaders, 'webhook-timestamp': `-${NOW_SECONDS}` }, 'bad-timestamp'],
    ['a hex timestamp', { ...validHeaders, 'webhook-timestamp': '0x67c2f6f0' }, 'bad-timestamp'],
    ['a timestamp in milliseconds', { ...validHeaders, 'webhook-timestamp': String(NOW.getTime()) }, 'bad-timestamp'],
    ['an absurdly long timestamp', { ...validHeaders, 'webhook-timestamp': '9'.repeat(30) }, 'bad-timestamp'],
    ['only other versions', { ...validHeaders, 'webhook-signature': validHeaders['webhook-signature'].replace('v1,', 'v1a,') }, 'no-matching-signature'],
    ['a signature without a version', { ...validHeaders, 'webhook-signature': validHeaders['webhook-signature'].slice(3) }, 'no-matching-signature'],
    ['an empty v1 entry', { ...validHeaders, 'webhook-signature': 'v1,' }, 'no-matching-signature'],
    ['a truncated signature', { ...validHeaders, 'webhook-signature': validHeaders['webhook-signature'].slice(0, -2) }, 'no-matching-signature'],
    ['a different id', { ...validHeaders, 'webhook-id': 'msg_2' }, 'no-matching-signature'],
  ])('rejects %s', (_label, headers, reason) => {
    expect(verify(headers)).toEqual({ ok: false, reason });
  });

  it('rejects a tampered body', () => {
    expect(verify(signedHeaders(), [NEW_SECRET], BODY.replace('success', 'error'))).toEqual({ ok: false, reason: 'no-matching-signature' });
  });

  it('rejects a body that was parsed and re-serialised', () => {
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 1);
    expect(verify(signedHeaders(), [NEW_SECRET], reserialised)).toEqual({ ok: false, reason: 'no-matching-signature' });
  });

  it('rejects a signature made with another secret', () => {
    expect(verify(signedHeaders({ secrets: [OTHER_SECRET] }))).toEqual({ ok: false, reason: 'no-matching-signature' });
  });

  it.each([
    ['exactly the tolerance in the past', NOW_SECONDS - 300, { ok: true }],
    ['one second too old', NOW_SECONDS - 301, { ok: false, reason: 'timestamp-too-old' }],
    ['an hour old', NOW_SECONDS - 3600, { ok: false, reason: 'timestamp-too-old' }],
    ['exactly the tolerance in the future', NOW_SECONDS + 300, { ok: true }],
    ['one second too new', NOW_SECONDS + 301, { ok: false, reason: 'timestamp-too-new' }],
  ])('with a timestamp %s', (_label, timestamp, result) => {
    expect(verify(signedHeaders({ timestamp }))).toEqual(result);
  });

  it('honours a custom tolerance', () => {
    const headers = signedHeaders({ timestamp: NOW_SECONDS - 60 });
    const secrets = [parseSigningSecret(NEW_SECRET)];
    expect(verifySignature({ headers, body: BODY, secrets, now: () => NOW, toleranceSeconds: 30 })).toEqual({ ok: false, reason: 'timestamp-too-old' });
    expect(verifySignature({ headers, body: BODY, secrets, now: () => NOW, toleranceSeconds: 60 })).toEqual({ ok: true });
  });

  it('refuses to run without a secret rather than accept everything', () => {
    expect(() => verifySignature({ headers: signedHeaders(), body: BODY, secrets: [] })).toThrow(/at least one secret/);
  });
});

describe('interoperability with the standardwebhooks package', () => {
  // That package reads the real clock, so these deliveries are stamped now.
  const now = new Date();

  it('verifies with standardwebhooks what we sign', () => {
    const headers = buildWebhookHeaders({ id: 'msg_interop', timestamp: now, body: BODY, secrets: [parseSigningSecret(NEW_SECRET)], attempt: 1 });
    expect(new Webhook(NEW_SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('verifies with standardwebhooks a rotation signature, with either secret', () => {
    const secrets = [OLD_SECRET, NEW_SECRET].map(parseSigningSecret);
    const headers = buildWebhookHeaders({ id: 'msg_interop', timestamp: now, body: BODY, secrets, attempt: 2 });
    expect(new Webhook(OLD_SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(NEW_SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('verifies what standardwebhooks signs', () => {
    const signature = new Webhook(NEW_SECRET).sign('msg_interop', now, BODY);
    const headers = { 'webhook-id': 'msg_interop', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature };
    expect(verifySignature({ headers, body: BODY, secrets: [parseSigningSecret(NEW_SECRET)], now: () => now })).toEqual({ ok: true });
    expect(verifySignature({ headers, body: BODY, secrets: [parseSigningSecret(OTHER_SECRET)], now: () => now })).toEqual({
      ok: false,
      reason: 'no-matching-signature',
    });
  });

  it('agrees with standardwebhooks that a tampered body fails', () => {
    const headers = buildWebhookHeaders({ id: 'msg_interop', timestamp: now, body: BODY, secrets: [parseSigningSecret(NEW_SECRET)], attempt: 1 });
    expect(() => new Webhook(NEW_SECRET).verify(BODY + ' ', headers)).toThrow();
  });
});
