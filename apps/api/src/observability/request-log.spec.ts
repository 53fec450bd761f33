import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRootLogger } from './pino-logger';
import { requestLogger } from './request-log';
import { captureLog } from './testing/log-capture';

describe('requestLogger', () => {
  let server: Server;
  let url: string;
  const sink = captureLog();

  beforeAll(async () => {
    const log = requestLogger(createRootLogger({ level: 'debug', format: 'json' }, sink.stream));
    server = createServer((request, response) =>
      log(request, response, () => {
        response.statusCode = request.url?.startsWith('/missing') ? 404 : 201;
        response.end('{}');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('writes one line per answered request: method, path without its query string, status and duration', async () => {
    await (await fetch(`${url}/threads/search?token=hunter2-secret&limit=5`, { method: 'POST' })).text();
    await (await fetch(`${url}/missing`)).text();
    await (await fetch(`${url}/ok?check_db=1`)).text();

    const lines = sink.lines();
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', context: 'http', msg: 'request', method: 'POST', path: '/threads/search', status: 201, duration_ms: expect.any(Number) }),
      expect.objectContaining({ level: 'info', method: 'GET', path: '/missing', status: 404 }),
      // Probes come every few seconds from each balancer: detail, not news.
      expect.objectContaining({ level: 'debug', path: '/ok', status: 201 }),
    ]);
    expect(sink.text()).not.toContain('hunter2-secret');
  });
});
