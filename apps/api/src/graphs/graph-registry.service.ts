import { Injectable, Logger } from '@nestjs/common';
import { BaseCheckpointSaver, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Pregel } from '@langchain/langgraph/pregel';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { importGraphExport } from './graph-loader';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RunnableGraph = Pregel<any, any, any, any, any>;

type GraphFactory = (config: LangGraphRunnableConfig) => unknown;

function isCompiledGraph(value: unknown): value is RunnableGraph {
  return typeof value === 'object' && value !== null && typeof (value as RunnableGraph).stream === 'function' &&
    typeof (value as RunnableGraph).getState === 'function';
}

function isUncompiledGraph(value: unknown): value is { compile: (options: object) => RunnableGraph } {
  return typeof value === 'object' && value !== null && typeof (value as { compile?: unknown }).compile === 'function';
}

export class UnknownGraphError extends Error {}

/**
 * The graphs `langgraph.json` declares. A compiled graph is loaded once and shared; a factory is called
 * per run with the run's config, as LangGraph servers do. Either way the server's checkpointer is attached.
 */
@Injectable()
export class GraphRegistry {
  private readonly logger = new Logger(GraphRegistry.name);
  private readonly exports = new Map<string, unknown>();
  private readonly compiled = new Map<string, RunnableGraph>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly checkpointer: BaseCheckpointSaver,
  ) {}

  graphIds(): string[] {
    return Object.keys(this.config.langgraph.graphs);
  }

  has(graphId: string): boolean {
    // Own keys only: `constructor` or `__proto__` are not graphs.
    return Object.hasOwn(this.config.langgraph.graphs, graphId);
  }

  /** Imports every graph at start so a broken graph file stops the server with its name, not the first run. */
  loadAll(): void {
    for (const graphId of this.graphIds()) {
      this.exportOf(graphId);
      this.logger.log(`graph "${graphId}" loaded`);
    }
  }

  async get(graphId: string, runConfig: LangGraphRunnableConfig = {}): Promise<RunnableGraph> {
    const cached = this.compiled.get(graphId);
    if (cached) return cached;
    const exported = this.exportOf(graphId);
    const isFactory = typeof exported === 'function' && !isCompiledGraph(exported);
    const value = isFactory ? await (exported as GraphFactory)(runConfig) : exported;
    const graph = this.attach(graphId, value);
    if (!isFactory) this.compiled.set(graphId, graph);
    return graph;
  }

  private exportOf(graphId: string): unknown {
    const spec = this.config.langgraph.graphs[graphId];
    if (!spec) throw new UnknownGraphError(`Graph "${graphId}" is not registered`);
    if (!this.exports.has(graphId)) this.exports.set(graphId, importGraphExport(graphId, spec));
    return this.exports.get(graphId);
  }

  private attach(graphId: string, value: unknown): RunnableGraph {
    if (isUncompiledGraph(value) && !isCompiledGraph(value)) {
      return value.compile({ checkpointer: this.checkpointer });
    }
    if (!isCompiledGraph(value)) {
      throw new Error(`Graph "${graphId}" is neither a compiled graph, a StateGraph nor a factory returning one`);
    }
    // The server owns persistence: a graph compiled without (or with its own) checkpointer uses ours.
    value.checkpointer = this.checkpointer;
    return value;
  }
}
