import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAuthGate } from '../auth/auth-gate';
import { AuthService } from '../auth/auth.service';
import type { AppConfig } from '../config/app-config';
import type { CorsPolicy, RouteGroup } from '../config/http-config';
import { loadCustomApp } from './custom-app';
import { createHonoBridge } from './hono-bridge';
import { routeGroupOf, stripMountPrefix } from './route-groups';

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

// The SDK's Client takes its default URL from here when built without one, as inside the reference server.
const SDK_DEFAULT_URL = Symbol.for('langgraph_api:url');

export function corsOptionsFor(policy: CorsPolicy): CorsOptions {
  const listed = policy.allowOrigins === '*' ? null : [...policy.allowOrigins, ...(policy.allowOriginRegex ? [new RegExp(policy.allowOriginRegex)] : [])];
  return {
    // Browsers refuse `*` on credentialed requests, so with credentials any origin is echoed back instead.
    origin: listed ?? (policy.allowCredentials ? true : '*'),
    ...(policy.allowMethods ? { methods: policy.allowMethods } : {}),
    ...(policy.allowHeaders ? { allowedHeaders: policy.allowHeaders } : {}),
    credentials: policy.allowCredentials,
    exposedHeaders: policy.exposeHeaders,
    ...(policy.maxAgeSeconds !== null ? { maxAge: policy.maxAgeSeconds } : {}),
  };
}

function notFound(response: ServerResponse): void {
  response.statusCode = 404;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify({ detail: 'Not Found' }));
}

/** Serves everything under `http.mount_prefix` only, with the prefix taken off for the routes behind. */
function mountPrefixGate(prefix: string): Middleware {
  return (request, response, next) => {
    const inner = stripMountPrefix(request.url ?? '/', prefix);
    if (inner === null) return notFound(response);
    request.url = inner;
    next();
  };
}

/** Answers 404 for route groups switched off by `http.disable_*`, as if they did not exist. */
function routeGroupGate(disabled: ReadonlySet<RouteGroup>): Middleware {
  return (request, response, next) => {
    const group = routeGroupOf(request.url ?? '/');
    if (group !== null && disabled.has(group)) return notFound(response);
    next();
  };
}

/**
 * The `http` section of langgraph.json, installed on the Express app before Nest's routes (and before the body
 * parsers, so the project's Hono app reads request bodies first): mount prefix, CORS policy, the auth gate (API keys
 * and custom auth; before or after the Hono app), the Hono app, then the `disable_*` gate, which sits after the
 * Hono app so custom routes under a disabled prefix still answer.
 */
export async function installHttpSurface(app: NestExpressApplication, config: AppConfig): Promise<void> {
  const http = config.langgraph.http;
  if (http.mountPrefix) app.use(mountPrefixGate(http.mountPrefix));
  app.enableCors(corsOptionsFor(http.cors));
  // Replicas without the api role serve no HTTP, so they never import the project's app (nor its auth).
  const auth = app.get(AuthService);
  if (config.roles.has('api')) await auth.load();
  // Custom routes are authenticated only when the project asks (http.enable_custom_route_auth): the gate goes first.
  const gate = createAuthGate(config, auth);
  if (gate && http.enableCustomRouteAuth) app.use(gate);
  if (http.app && config.roles.has('api')) app.use(createHonoBridge(await loadCustomApp(http.app)));
  if (gate && !http.enableCustomRouteAuth) app.use(gate);
  if (http.disabled.size > 0) app.use(routeGroupGate(http.disabled));
  const global = globalThis as { [SDK_DEFAULT_URL]?: string };
  global[SDK_DEFAULT_URL] ??= `${config.selfUrl}${http.mountPrefix}`;
}
