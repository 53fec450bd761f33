import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { inspect } from 'node:util';

// The key `getLogger()` of @langchain/langgraph-sdk/logging reads on globalThis (a registered symbol, so every
// copy of the SDK in a project finds the same logger).
const SDK_LOGGER_KEY = Symbol.for('langgraph.api.sdk-logger');

const currentGraph = new AsyncLocalStorage<string>();
/** `inGraphContext` calls not yet settled: the storage is switched off when none is left. */
let pending = 0;

// Where LangChain keeps the config of the runnable being executed (a registered symbol, shared by every copy of
// @langchain/core), and the key of the config on the stored run tree.
const LANGCHAIN_STORAGE_KEY = Symbol.for('ls:tracing_async_local_storage');
const LANGCHAIN_CONFIG_KEY = Symbol.for('lc:child_config');

type StoredRunTree = { extra?: Record<symbol, { configurable?: Record<string, unknown> } | undefined> } | undefined;

/** The graph of the node being run: LangChain's own context holds the run's config, with `graph_id`. */
function graphOfRunningNode(): string | undefined {
  const storage = (globalThis as Record<symbol, AsyncLocalStorage<StoredRunTree> | undefined>)[LANGCHAIN_STORAGE_KEY];
  const graphId = storage?.getStore()?.extra?.[LANGCHAIN_CONFIG_KEY]?.configurable?.['graph_id'];
  return typeof graphId === 'string' ? graphId : undefined;
}

function leaveGraphContext(): void {
  pending -= 1;
  // An enabled AsyncLocalStorage costs something on every promise the process creates (Node 20 propagates each
  // enabled store to each new async resource), so it is on only while a graph is being imported or built.
  if (pending === 0) currentGraph.disable();
}

/**
 * Runs `work` (a graph import or a graph factory) so that what it logs through `getLogger()` names the graph.
 * A running graph needs no wrapping: its nodes run inside LangChain's context, whose config names the graph.
 */
export function inGraphContext<T>(graphId: string, work: () => T): T {
  pending += 1;
  let result: T;
  try {
    result = currentGraph.run(graphId, work);
  } catch (error) {
    leaveGraphContext();
    throw error;
  }
  if (result instanceof Promise) return result.finally(leaveGraphContext) as T;
  leaveGraphContext();
  return result;
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
      const graphId = currentGraph.getStore() ?? graphOfRunningNode();
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
