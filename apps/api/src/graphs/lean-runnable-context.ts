// LangChain keeps the config of the runnable being executed in one AsyncLocalStorage shared by every copy of
// @langchain/core, on the stored object's `extra` under this key; context variables sit on the object itself.
const CHILD_CONFIG_KEY = Symbol.for('lc:child_config');
const CONTEXT_VARIABLES_KEY = Symbol.for('lc:context_variables');
const TRACER_NAME = 'langchain_tracer';

type Stored = Record<PropertyKey, unknown> | undefined;

interface ContextStorage {
  getStore(): Stored;
  run<T>(store: Stored, callback: () => T): T;
}

type RunWithConfig = (config: Record<string, unknown> | undefined, callback: () => unknown, avoidCreatingRootRunTree?: boolean) => unknown;

/** `AsyncLocalStorageProviderSingleton` of `@langchain/core/singletons` (1.x). */
interface ContextProvider {
  getInstance(): ContextStorage;
  runWithConfig: RunWithConfig;
}

/** `CallbackManager` of `@langchain/core/callbacks/manager`. */
interface CallbackManagerClass {
  _configureSync(
    inheritableHandlers: unknown,
    localHandlers: unknown,
    inheritableTags: unknown,
    localTags: unknown,
    inheritableMetadata: unknown,
  ): { handlers?: ({ name?: string } | undefined)[] } | undefined;
}

/** What `installLeanRunnableContext` did with one copy of @langchain/core. */
export type LeanContextOutcome = 'installed' | 'already installed' | 'not found' | 'unrecognized';

/** Marks the replacement, so a second install into the same copy is seen as such. */
const LEAN = Symbol('runhook.leanRunWithConfig');

function isProvider(value: unknown): value is ContextProvider {
  const provider = value as Partial<ContextProvider> | null;
  return typeof provider?.getInstance === 'function' && typeof provider.runWithConfig === 'function';
}

/**
 * The version this replaces: it builds a root LangSmith `RunTree` (with tracing off) whenever no tracer handles the
 * call, and gives a tracer's run tree otherwise. Another body (a LangChain release that changed it) is left alone.
 */
function isKnownRunWithConfig(fn: RunWithConfig): boolean {
  const source = Function.prototype.toString.call(fn);
  return source.includes('<runnable_lambda>') && source.includes('getRunTreeWithTracingConfig') && source.includes('_configureSync');
}

type RunTreeTemplate = Record<PropertyKey, unknown> & { extra?: Record<PropertyKey, unknown> };

/** The disabled run tree this copy of LangChain stores for a node, made once by its own `runWithConfig`. */
function disabledRunTreeOf(provider: ContextProvider, original: RunWithConfig): RunTreeTemplate | null {
  let stored: Stored;
  original.call(provider, {}, () => {
    stored = provider.getInstance().getStore();
  });
  const template = stored as RunTreeTemplate | undefined;
  const isRunTree = typeof template?.['createChild'] === 'function' && typeof template['postRun'] === 'function';
  return isRunTree && template?.['tracingEnabled'] === false ? template : null;
}

function hasTracer(callbacks: unknown): boolean {
  const handlers = Array.isArray(callbacks) ? callbacks : (callbacks as { handlers?: unknown } | null | undefined)?.handlers;
  return Array.isArray(handlers) && handlers.some((handler) => (handler as { name?: unknown } | null)?.name === TRACER_NAME);
}

/**
 * Whether LangChain's callback set-up could give this call a tracer; when it cannot, it is not run (its copies of
 * the callback manager, tags and metadata are made only to be looked at, about 2.5 % of a short run's CPU). Inside a
 * run tree with tracing off, `_configureSync` adds no tracer of its own; without context variables there are no
 * configure hooks that could add one; and the call's own handlers are looked at directly. Anything else goes through
 * `_configureSync` as LangChain does it.
 */
function tracerImpossible(stored: Stored, callbacks: unknown): boolean {
  return stored !== undefined && stored['tracingEnabled'] === false && stored[CONTEXT_VARIABLES_KEY] === undefined && !hasTracer(callbacks);
}

/**
 * Makes `runWithConfig` of one copy of @langchain/core store a copy of one disabled LangSmith run tree when no
 * tracer takes part, instead of constructing a new one. LangGraph calls it for every node, channel write and route of
 * every step (some fifteen times in a one-node run), and the `RunTree` constructor (some forty property definitions,
 * a uuid7, a timestamp string and a dozen environment reads) took about 20 µs each, some 6 % of a short run's CPU;
 * the copy takes about 2 µs. The copy is a `RunTree` with tracing off, holding the node's config in `extra` as
 * LangChain puts it, so everything that reads it back (`getConfig()`, `interrupt()`, `getStore()`, the stream writer,
 * context variables, a `traceable` helper inside a node) behaves as before. What differs is what only tracing reads:
 * the copies share the id, trace id and start time of the first. A call with a tracer (LangSmith tracing on) runs
 * LangChain's own code unchanged.
 */
export function installLeanRunnableContext(provider: unknown, callbackManager: unknown): LeanContextOutcome {
  if (!isProvider(provider) || typeof (callbackManager as Partial<CallbackManagerClass> | null)?._configureSync !== 'function') return 'unrecognized';
  if ((provider.runWithConfig as RunWithConfig & { [LEAN]?: true })[LEAN]) return 'already installed';
  const original = provider.runWithConfig;
  if (!isKnownRunWithConfig(original)) return 'unrecognized';
  const template = disabledRunTreeOf(provider, original);
  if (!template) return 'unrecognized';
  const prototype = Object.getPrototypeOf(template) as object;
  const manager = callbackManager as CallbackManagerClass;
  const lean: RunWithConfig & { [LEAN]?: true } = function leanRunWithConfig(this: ContextProvider, config, callback, avoidCreatingRootRunTree) {
    const storage = this.getInstance();
    const previous = storage.getStore();
    if (!tracerImpossible(previous, config?.['callbacks'])) {
      if (hasTracer(manager._configureSync(config?.['callbacks'], undefined, config?.['tags'], undefined, config?.['metadata']))) {
        return original.call(this, config, callback, avoidCreatingRootRunTree);
      }
    }
    let runTree: Stored;
    if (!avoidCreatingRootRunTree) {
      runTree = Object.assign(Object.create(prototype) as Record<PropertyKey, unknown>, template);
      runTree['child_runs'] = [];
      runTree['extra'] = { ...template.extra, [CHILD_CONFIG_KEY]: config };
    }
    if (previous !== undefined && previous[CONTEXT_VARIABLES_KEY] !== undefined) {
      runTree ??= {};
      runTree[CONTEXT_VARIABLES_KEY] = previous[CONTEXT_VARIABLES_KEY];
    }
    return storage.run(runTree, callback);
  };
  lean[LEAN] = true;
  provider.runWithConfig = lean;
  return 'installed';
}

type ImportBeside = (specifier: string) => Promise<Record<string, unknown> | null>;

/** Installs the lean context into the copy of @langchain/core that a graph's module imports (its project's). */
export async function installLeanRunnableContextBeside(importBeside: ImportBeside): Promise<LeanContextOutcome> {
  const [singletons, manager] = await Promise.all([importBeside('@langchain/core/singletons'), importBeside('@langchain/core/callbacks/manager')]);
  if (!singletons || !manager) return 'not found';
  return installLeanRunnableContext(singletons['AsyncLocalStorageProviderSingleton'], manager['CallbackManager']);
}
