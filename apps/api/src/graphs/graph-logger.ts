import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { inspect } from 'node:util';

// The key `getLogger()` of @langchain/langgraph-sdk/logging reads on globalThis (a registered symbol, so every
// copy of the SDK in a project finds the same logger).
const SDK_LOGGER_KEY = Symbol.for('langgraph.api.sdk-logger');

const currentGraph = new AsyncLocalStorage<string>();

/** Runs `work` (a graph import or a graph run) so that what it logs through `getLogger()` names the graph. */
export function inGraphContext<T>(graphId: string, work: () => T): T {
  return currentGraph.run(graphId, work);
}

type Level = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

// The SDK's logger has winston's leveled methods; each maps onto the nearest Nest level.
const LEVELS: Record<string, Level> = {
  error: 'error',
  warn: 'warn',
  info: 'log',
  help: 'log',
  data: 'log',
  prompt: 'log',
  http: 'log',
  input: 'log',
  debug: 'debug',
  verbose: 'verbose',
  silly: 'verbose',
};

function render(message: unknown, meta: unknown[]): string {
  const head = typeof message === 'string' ? message : inspect(message, { depth: 4, breakLength: Infinity });
  const tail = meta.map((item) => (typeof item === 'string' ? item : inspect(item, { depth: 4, breakLength: Infinity })));
  return [head, ...tail].join(' ');
}

export type SdkLogger = Record<keyof typeof LEVELS, (message: unknown, ...meta: unknown[]) => SdkLogger>;

/** A logger of the SDK's shape whose lines go to Runhook's log, in the context `graph:<graph_id>`. */
export function createSdkLogger(): SdkLogger {
  const logger = {} as SdkLogger;
  for (const [method, level] of Object.entries(LEVELS)) {
    logger[method] = (message: unknown, ...meta: unknown[]) => {
      const graphId = currentGraph.getStore();
      new Logger(graphId ? `graph:${graphId}` : 'graph')[level](render(message, meta));
      return logger;
    };
  }
  return logger;
}

/** Must run before any graph module is imported: graphs may call `getLogger()` at import time. */
export function registerSdkLogger(): void {
  (globalThis as Record<symbol, unknown>)[SDK_LOGGER_KEY] = createSdkLogger();
}
