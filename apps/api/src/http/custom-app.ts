import type { Hono } from 'hono';
import { ConfigError } from '../config/config-error';
import type { HttpConfig } from '../config/http-config';
import { importGraphExport } from '../graphs/graph-loader';

/** What Runhook needs of the project's Hono app; the project may ship its own copy of hono. */
export type CustomApp = Pick<Hono, 'fetch' | 'routes'>;

function isHonoApp(value: unknown): value is CustomApp {
  const candidate = value as Partial<CustomApp> | null;
  return typeof candidate?.fetch === 'function' && Array.isArray(candidate.routes);
}

/** Imports the `http.app` export with the graph loader (same TS/JS support) and checks it is a Hono app. */
export async function loadCustomApp(spec: NonNullable<HttpConfig['app']>): Promise<CustomApp> {
  let value: unknown;
  try {
    value = await importGraphExport('http.app', { modulePath: spec.modulePath, exportName: spec.exportName });
  } catch (error) {
    throw new ConfigError(`http.app: ${spec.modulePath} could not be loaded: ${(error as Error).message}`);
  }
  if (!isHonoApp(value)) {
    throw new ConfigError(`http.app: export "${spec.exportName}" of ${spec.modulePath} is not a Hono app (\`new Hono()\`)`);
  }
  return value;
}
