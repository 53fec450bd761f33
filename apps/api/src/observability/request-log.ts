import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';

type Next = (error?: unknown) => void;
type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string; originalUrl?: string };

/**
 * One line per request once its answer is finished (or the client went away): method, path without its query
 * string (webhook URLs and joins carry `?token=`), the matched route pattern when Express found one, status
 * and duration. Health probes log at debug: a load balancer asks every few seconds.
 */
export function requestLogger(logger: Pino): (request: IncomingMessage, response: ServerResponse, next: Next) => void {
  const log = logger.child({ context: 'http' });
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    const routed = request as RoutedRequest;
    const url = routed.originalUrl ?? request.url ?? '/';
    const path = url.split('?', 1)[0] ?? '/';
    let written = false;
    const done = (): void => {
      if (written) return;
      written = true;
      const routePath = routed.route?.path;
      const fields = {
        method: request.method,
        path,
        route: typeof routePath === 'string' ? `${routed.baseUrl ?? ''}${routePath}` : undefined,
        status: response.writableFinished ? response.statusCode : 499,
        duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      };
      if (path === '/ok') log.debug(fields, 'request');
      else log.info(fields, 'request');
    };
    response.once('finish', done);
    response.once('close', done);
    next();
  };
}
