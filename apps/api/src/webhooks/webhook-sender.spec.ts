import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestTarget, RESPONSE_EXCERPT_BYTES, WebhookSender } from './webhook-sender';

const OPEN = { disableLoopback: false, disablePrivateIps: false };

describe('requestTarget', () => {
  it.each([
    ['http://h.example/hook?token=a%2Fb&x=1', 'http://h.example', '/hook?token=a%2Fb&x=1'],
    ['http://h.example:8080?token=abc', 'http://h.example:8080', '/?token=abc'],
    ['https://h.example', 'https://h.example', '/'],
    ['http://h.example/a/../b?q=%7E#frag', 'http://h.example', '/a/../b?q=%7E'],
    ['http://h.example/with space?q=é', 'http://h.example', '/with%20space?q=%C3%A9'],
  ])('%s → %s %s', (url, origin, path) => {
    expect(requestTarget(url)).toEqual({ origin, path });
  });
});

describe('WebhookSender against a local server', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; body: string; headers: IncomingMessage['headers'] }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ url: request.url ?? '', body, headers: request.headers });
        if (request.url?.startsWith('/redirect')) return response.writeHead(302, { location: '/elsewhere' }).end();
        if (request.url?.startsWith('/big')) return response.writeHead(200).end('x'.repeat(100_000));
        if (request.url?.startsWith('/busy')) return response.writeHead(503, { 'retry-after': '7' }).end('busy');
        // Never answered: the request stays open until the client gives up.
        if (request.url?.startsWith('/hang')) return;
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sender = (policy = OPEN) => new WebhookSender({ policy, connectTimeoutMs: 1_000, timeoutMs: 2_000, connectionsPerEndpoint: 2 });

  it('posts the body and headers to the exact path and query', async () => {
    const sut = sender();
    const result = await sut.send({ url: `${base}/hook?token=a%2Fb%3D`, headers: { 'content-type': 'application/json', 'webhook-id': 'x' }, body: '{"a":1}' });
    await sut.close();

    expect(result).toEqual({ statusCode: 204, error: null, excerpt: null, retryAfter: undefined, timedOut: false });
    expect(seen.at(-1)).toMatchObject({ url: '/hook?token=a%2Fb%3D', body: '{"a":1}', headers: expect.objectContaining({ 'webhook-id': 'x' }) });
  });

  it('does not follow redirects, reads at most 4 KB, and hands back Retry-After', async () => {
    const sut = sender();
    const redirect = await sut.send({ url: `${base}/redirect`, headers: {}, body: '{}' });
    const big = await sut.send({ url: `${base}/big`, headers: {}, body: '{}' });
    const busy = await sut.send({ url: `${base}/busy`, headers: {}, body: '{}' });
    await sut.close();

    expect(redirect).toMatchObject({ statusCode: 302, error: 'HTTP 302' });
    expect(seen.some((request) => request.url === '/elsewhere')).toBe(false);
    expect(big.excerpt).toHaveLength(RESPONSE_EXCERPT_BYTES);
    expect(busy).toMatchObject({ statusCode: 503, excerpt: 'busy', retryAfter: '7' });
  });

  it('refuses at connect time an address the policy forbids, by literal IP and by name', async () => {
    const sut = sender({ disableLoopback: true, disablePrivateIps: true });
    const literal = await sut.send({ url: `${base}/hook`, headers: {}, body: '{}' });
    const named = await sut.send({ url: base.replace('127.0.0.1', 'localhost'), headers: {}, body: '{}' });
    await sut.close();

    expect(literal).toMatchObject({ statusCode: null, error: expect.stringMatching(/SSRF guard: 127\.0\.0\.1 is a loopback address/) });
    expect(named).toMatchObject({ statusCode: null, error: expect.stringMatching(/SSRF guard: localhost resolves to .* loopback/) });
  });

  it('gives up on an endpoint that never answers at the timeout, and says it timed out', async () => {
    const sut = new WebhookSender({ policy: OPEN, connectTimeoutMs: 1_000, timeoutMs: 150, connectionsPerEndpoint: 2 });
    const result = await sut.send({ url: `${base}/hang`, headers: {}, body: '{}' });
    await sut.close();

    expect(result).toMatchObject({ statusCode: null, timedOut: true, error: 'timed out after 150 ms' });
  });

  it('stops a send when the caller\'s signal aborts (a hand-back at shutdown), which is no timeout', async () => {
    const sut = sender();
    const handBack = new AbortController();
    const before = seen.length;
    const sending = sut.send({ url: `${base}/hang?stop`, headers: {}, body: '{}', signal: handBack.signal });
    while (seen.length === before) await new Promise((resolve) => setImmediate(resolve));
    handBack.abort();
    const stopped = await sending;
    const already = await sut.send({ url: `${base}/hang?never`, headers: {}, body: '{}', signal: handBack.signal });
    await sut.close();

    expect(stopped).toMatchObject({ statusCode: null, timedOut: false });
    expect(already).toMatchObject({ statusCode: null, timedOut: false });
    expect(seen.some((request) => request.url === '/hang?never')).toBe(false);
  });

  it('reports a refused connection without an answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const sut = sender();
    const result = await sut.send({ url: `http://127.0.0.1:${port}/`, headers: {}, body: '{}' });
    await sut.close();

    expect(result).toMatchObject({ statusCode: null, timedOut: false, error: expect.stringMatching(/ECONNREFUSED/) });
  });
});
