import express from 'express';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createHonoBridge } from './hono-bridge';

/** The bridge in front of a plain Express app with the body parser Runhook uses, on a real socket. */
async function serve(userApp: Hono): Promise<{ url: string; close: () => Promise<void> }> {
  const server = express();
  server.use(createHonoBridge(userApp));
  server.use(express.json());
  server.all('/echo', (request, response) => {
    response.json({ body: request.body ?? null, added: request.headers['x-added'] ?? null });
  });
  const listening = server.listen(0, '127.0.0.1');
  await new Promise((resolveListen) => listening.once('listening', resolveListen));
  const { port } = listening.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolveClose) => listening.close(() => resolveClose())) };
}

const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('createHonoBridge', () => {
  it('leaves an unread body to the body parser behind it', async () => {
    const sut = await serve(new Hono().use(async (_c, next) => next()));
    try {
      const answer = await post(`${sut.url}/echo`, '{"a":1}');
      expect(await answer.json()).toEqual({ body: { a: 1 }, added: null });
    } finally {
      await sut.close();
    }
  });

  it('hands on the object a middleware changed, even when it parsed the body twice', async () => {
    const app = new Hono().use(async (c, next) => {
      const body = await c.req.json();
      body.b = 2;
      expect(await c.req.json()).toBe(body);
      await next();
    });
    const sut = await serve(app);
    try {
      expect(await (await post(`${sut.url}/echo`, '{"a":1}')).json()).toEqual({ body: { a: 1, b: 2 }, added: null });
    } finally {
      await sut.close();
    }
  });

  it('parses a body the middleware only read as text, and refuses broken JSON with 400', async () => {
    const app = new Hono().use(async (c, next) => {
      await c.req.text();
      await next();
    });
    const sut = await serve(app);
    try {
      expect(await (await post(`${sut.url}/echo`, '{"a":1}')).json()).toEqual({ body: { a: 1 }, added: null });
      expect((await post(`${sut.url}/echo`, '{"a":')).status).toBe(400);
    } finally {
      await sut.close();
    }
  });

  it('passes on request headers the middleware set, and response headers and cookies it added after next()', async () => {
    const app = new Hono().use(async (c, next) => {
      c.req.raw.headers.set('x-added', 'yes');
      await next();
      c.header('x-after', 'done');
      c.header('set-cookie', 'a=1', { append: true });
      c.header('set-cookie', 'b=2', { append: true });
    });
    const sut = await serve(app);
    try {
      const answer = await fetch(`${sut.url}/echo`);
      expect(await answer.json()).toEqual({ body: null, added: 'yes' });
      expect(answer.headers.get('x-after')).toBe('done');
      expect(answer.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect([...answer.headers.keys()].filter((name) => name.startsWith('x-runhook') || name.startsWith('x-hono'))).toEqual([]);
    } finally {
      await sut.close();
    }
  });

  it('lets the app answer first, its own notFound aside', async () => {
    const app = new Hono().get('/echo', (c) => c.json({ from: 'hono' })).notFound((c) => c.json({ status: 'custom-not-found' }));
    const sut = await serve(app);
    try {
      expect(await (await fetch(`${sut.url}/echo`)).json()).toEqual({ from: 'hono' });
      expect(await (await post(`${sut.url}/echo`, '{"a":1}')).json()).toEqual({ body: { a: 1 }, added: null });
      expect((await fetch(`${sut.url}/elsewhere`)).status).toBe(404);
    } finally {
      await sut.close();
    }
  });
});
