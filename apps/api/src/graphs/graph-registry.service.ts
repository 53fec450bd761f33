import { Injectable, Logger, Optional } from '@nestjs/common';
import { BaseCheckpointSaver, BaseStore, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Pregel } from '@langchain/langgraph/pregel';
import { type AppConfig, InjectConfig } from '../config/app-config';
import type { GraphDefaults } from '../config/graph-defaults';
import type { GraphSpec } from '../config/langgraph-config';
import { applyProjectEnv } from '../config/project-env';
import { GraphLoadError, importBesideGraph, importGraphExport } from './graph-loader';
import { inGraphContext, registerSdkLogger } from './graph-logger';
import { installLeanRunnableContextBeside } from './lean-runnable-context';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RunnableGraph = Pregel<any, any, any, any, any>;

type GraphFactory = (config: LangGraphRunnableConfig) => unknown;

// Graphs come from the project's own copy of @langchain/langgraph, so they are recognized by shape, not class.
function isCompiledGraph(value: unknown): value is RunnableGraph {
  return typeof value === 'object' && value !== null && typeof (value as RunnableGraph).stream === 'function' &&
    typeof (value as RunnableGraph).getState === 'function';
}

function isUncompiledGraph(value: unknown): value is { compile: (options: object) => RunnableGraph } {
  return typeof value === 'object' && value !== null && typeof (value as { compile?: unknown }).compile === 'function';
}

/** `createAgent` returns a wrapper that looks like a graph and holds the real compiled graph in `.graph`. */
function unwrapAgent(value: unknown): unknown {
  const inner = (value as { graph?: unknown } | null)?.graph;
  return isCompiledGraph(value) && isCompiledGraph(inner) ? inner : value;
}

export class UnknownGraphError extends Error {}

/**
 * The graphs `langgraph.json` declares. A compiled graph is loaded once and shared; a factory is called
 * per run with the run's config, as LangGraph servers do. Either way the server's checkpointer is attached.
 */
@Injectable()
export class GraphRegistry {
  private readonly logger = new Logger(GraphRegistry.name);
  private readonly exports = new Map<string, Promise<unknown>>();
  private readonly compiled = new Map<string, RunnableGraph>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly checkpointer: BaseCheckpointSaver,
    @Optional() private readonly store?: BaseStore,
  ) {}

  graphIds(): string[] {
    return Object.keys(this.config.langgraph.graphs);
  }

  has(graphId: string): boolean {
    // Own keys only: `constructor` or `__proto__` are not graphs.
    return Object.hasOwn(this.config.langgraph.graphs, graphId);
  }

  /** The config and context LANGGRAPH_CONFIG gives the graph's system assistant. */
  defaultsFor(graphId: string): GraphDefaults {
    return this.config.graphDefaults?.[graphId] ?? { config: {}, context: {} };
  }

  /**
   * Imports every graph at start so a broken graph file stops the server with its name, not the first run.
   * The project's env and the SDK logger come first: graph modules read both while they are imported.
   */
  async loadAll(): Promise<void> {
    // Forked worker processes load the same config: the api process has said it already.
    if (!this.config.worker?.isForkedWorker) {
      for (const warning of this.config.langgraph.warnings ?? []) new Logger('Config').warn(warning);
    }
    applyProjectEnv(this.config.langgraph.env ?? {});
    registerSdkLogger();
    for (const graphId of this.graphIds()) {
      const exported = await this.exportOf(graphId);
      // A graph value (not a factory) is compiled now too, so a wrong export also stops the start.
      if (typeof exported !== 'function') await this.get(graphId);
      this.logger.log(`graph "${graphId}" loaded`);
    }
  }

  async get(graphId: string, runConfig: LangGraphRunnableConfig = {}): Promise<RunnableGraph> {
    const cached = this.compiled.get(graphId);
    if (cached) return cached;
    const exported = await this.exportOf(graphId);
    const isFactory = typeof exported === 'function' && !isCompiledGraph(exported);
    const value = isFactory ? await inGraphContext(graphId, () => (exported as GraphFactory)(runConfig)) : exported;
    const graph = this.attach(graphId, value);
    if (!isFactory) this.compiled.set(graphId, graph);
    return graph;
  }

  /** A package as the graph's module resolves it (the project's copy); null when it has none. */
  /** Where a graph is declared (its module and export), as `langgraph.json` names it. */
  specOf(graphId: string): GraphSpec | undefined {
    return this.config.langgraph.graphs[graphId];
  }

  importBesideGraph(graphId: string, specifier: string): Promise<Record<string, unknown> | null> {
    const spec = this.config.langgraph.graphs[graphId];
    return spec ? importBesideGraph(spec, specifier) : Promise.resolve(null);
  }

  private exportOf(graphId: string): Promise<unknown> {
    const spec = this.config.langgraph.graphs[graphId];
    if (!spec) return Promise.reject(new UnknownGraphError(`Graph "${graphId}" is not registered`));
    let loading = this.exports.get(graphId);
    if (!loading) {
      loading = inGraphContext(graphId, () => importGraphExport(graphId, spec)).then(async (exported) => {
        await this.leanContextFor(graphId, spec);
        return exported;
      });
      this.exports.set(graphId, loading);
    }
    return loading;
  }

  /** Once per copy of @langchain/core the project's graphs import: see `installLeanRunnableContext`. */
  private async leanContextFor(graphId: string, spec: GraphSpec): Promise<void> {
    if (!this.config.leanRunnableContext) return;
    const outcome = await installLeanRunnableContextBeside((specifier) => importBesideGraph(spec, specifier));
    if (outcome === 'unrecognized') {
      this.logger.warn(`graph "${graphId}": its @langchain/core is a version whose runnable context Runhook does not know; LangChain's own is kept`);
    } else if (outcome === 'installed') {
      this.logger.debug(`graph "${graphId}": lean runnable context installed in its @langchain/core`);
    }
  }

  private attach(graphId: string, exported: unknown): RunnableGraph {
    const value = unwrapAgent(exported);
    let graph: RunnableGraph;
    if (isUncompiledGraph(value) && !isCompiledGraph(value)) {
      graph = value.compile({ checkpointer: this.checkpointer, store: this.store });
    } else if (isCompiledGraph(value)) {
      // The server owns persistence: a graph compiled without (or with its own) checkpointer uses ours.
      value.checkpointer = this.checkpointer;
      if (this.store) value.store = this.store;
      graph = value;
    } else {
      const spec = this.config.langgraph.graphs[graphId];
      throw new GraphLoadError(
        `graph "${graphId}" (${spec?.modulePath}:${spec?.exportName}) is neither a compiled graph, a StateGraph, ` +
          `a factory returning one nor a Promise of one`,
      );
    }
    return graph;
  }
}
