import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { Hono, type HonoRequest } from 'hono';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomApp } from './custom-app';

type Next = (error?: unknown) => void;

/** Express's request, as far as the bridge touches it. */
interface BridgedRequest extends IncomingMessage {
  body?: unknown;
  /** body-parser skips a request whose `_body` is set: the body was already read. */
  _body?: boolean;
}

const PASSED_ON = Symbol('runhook.passedOn');
const PARSED_JSON = Symbol('runhook.parsedJson');
type MarkedRequest = BridgedRequest & { [PASSED_ON]?: HonoRequest; [PARSED_JSON]?: Promise<unknown> };

// @hono/node-server writes nothing for a body-less response carrying this header (its RESPONSE_ALREADY_SENT).
const ALREADY_SENT = 'x-hono-already-sent';

/**
 * Mounts the project's Hono app in front of Runhook's routes, as the reference does with `app.route('/', userApp)`:
 * its routes answer first and its middleware on `*` also wraps Runhook's routes.
 *
 * The user app is routed inside an outer Hono app that ends with a catch-all. The catch-all runs only when no user
 * route answered (the user app's own `notFound` is never reached, as in the reference), and answers with a marker
 * response instead. The user's middleware then finishes around it (setting headers after `await next()`), and when
 * the marker comes back out, the request continues to Nest on the same Node request and response:
 * - headers the middleware set on the response are set on the Node response before Nest writes it;
 * - request headers the middleware set or changed are copied onto the Node request;
 * - a body the middleware read (and maybe changed: `await c.req.json()` returns one shared object) becomes the
 *   parsed body Nest sees; an unread body is still on the socket for Nest's body parser, so nothing is buffered
 *   for requests the middleware leaves alone, and Nest's streamed (SSE) answers go straight to the socket.
 * Middleware that inspects the response after `await next()` sees the marker, not Runhook's answer.
 */
export function createHonoBridge(userApp: CustomApp): (request: BridgedRequest, response: ServerResponse, next: Next) => void {
  const marker = `x-runhook-pass-${randomUUID()}`;
  const outer = new Hono<{ Bindings: HttpBindings }>();
  outer.use('*', async (c, next) => {
    // Hono parses the text again on every `c.req.json()`, so a middleware's changes to the object it got would be
    // lost; one shared object per request (what older Hono did, and what projects rely on) is what Nest receives.
    const incoming = c.env.incoming as MarkedRequest;
    const parse = c.req.json.bind(c.req);
    c.req.json = <T>() => (incoming[PARSED_JSON] ??= parse()) as Promise<T>;
    await next();
  });
  outer.route('/', userApp as unknown as Hono);
  outer.all('*', (c) => {
    (c.env.incoming as MarkedRequest)[PASSED_ON] = c.req;
    return c.body(null, 200, { [marker]: '1', [ALREADY_SENT]: 'true' });
  });
  const pending = new WeakMap<IncomingMessage, Next>();
  const listener = getRequestListener(
    async (request, bindings) => {
      // Express serves HTTP/1.1 only, so the bindings are always the HTTP/1 ones.
      const env = bindings as HttpBindings;
      const answer = await outer.fetch(request, env);
      const honoRequest = (env.incoming as MarkedRequest)[PASSED_ON];
      const next = pending.get(env.incoming);
      if (!honoRequest || !next || answer.headers.get(marker) !== '1' || answer.body !== null) return answer;
      copyResponseHeaders(answer.headers, env.outgoing, marker);
      copyRequestHeaders(honoRequest.raw.headers, env.incoming);
      const failure = await adoptReadBody(honoRequest, env.incoming as BridgedRequest);
      next(failure);
      return new Response(null, { headers: { [ALREADY_SENT]: 'true' } });
    },
    // Keep the process's global Request/Response, and leave an unread body on the socket for Nest.
    { overrideGlobalObjects: false, autoCleanupIncoming: false },
  );
  return (request, response, next) => {
    pending.set(request, next);
    void listener(request, response);
  };
}

function copyResponseHeaders(headers: Headers, outgoing: ServerResponse, marker: string): void {
  for (const [name, value] of headers) {
    if (name === marker || name === ALREADY_SENT || name === 'set-cookie') continue;
    outgoing.setHeader(name, value);
  }
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) outgoing.setHeader('set-cookie', cookies);
}

/** Headers the middleware set or changed (a removed header is not noticed: Headers may drop malformed ones). */
function copyRequestHeaders(headers: Headers, incoming: IncomingMessage): void {
  for (const [name, value] of headers) {
    const current = incoming.headers[name];
    if ((Array.isArray(current) ? current.join(', ') : current) !== value) incoming.headers[name] = value;
  }
}

/** When the middleware consumed the body, hands what it read to Nest; returns a 400-style error for broken JSON. */
async function adoptReadBody(honoRequest: HonoRequest, incoming: BridgedRequest): Promise<Error | undefined> {
  if (!incoming.readableDidRead) return undefined;
  const cache = honoRequest.bodyCache;
  incoming._body = true;
  const parsed = (incoming as MarkedRequest)[PARSED_JSON] ?? cache.json;
  if (parsed) {
    try {
      incoming.body = await parsed;
      return undefined;
    } catch (error) {
      return Object.assign(error as Error, { type: 'entity.parse.failed', status: 400 });
    }
  }
  const text = cache.text ? await cache.text : cache.arrayBuffer ? Buffer.from(await cache.arrayBuffer).toString('utf8') : null;
  if (text === null) {
    incoming.body = undefined;
    return undefined;
  }
  try {
    incoming.body = text.length > 0 ? JSON.parse(text) : {};
    return undefined;
  } catch (error) {
    return Object.assign(error as Error, { type: 'entity.parse.failed', status: 400 });
  }
}
