import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { AssistantGraph, AssistantSchemas } from '@runhook/contracts';
import * as ownReaders from '@langchain/langgraph/zod/schema';
import { GraphRegistry, type RunnableGraph } from '../graphs/graph-registry.service';
import type { TypeSchemasByNamespace } from '../graphs/type-schemas/type-schema-extractor';
import { TypeSchemaService } from '../graphs/type-schemas/type-schema.service';
import { AssistantsService } from './assistants.service';
import { completeGraphSchemas, type GraphSchemaSet, lacksSchemas, runtimeGraphSchemas, type SchemaReaders } from './graph-schemas';

@Injectable()
export class AssistantGraphService {
  private readonly readers = new Map<string, Promise<SchemaReaders>>();

  constructor(
    private readonly assistants: AssistantsService,
    private readonly graphs: GraphRegistry,
    private readonly typeSchemas: TypeSchemaService,
  ) {}

  async graph(idOrGraph: string, xray: string | undefined): Promise<AssistantGraph> {
    const graph = await this.load(idOrGraph);
    let depth: boolean | number = false;
    if (xray !== undefined && xray !== '') {
      if (/^\d+$/.test(xray)) depth = Number(xray);
      else if (['true', 'false', '1', '0'].includes(xray.toLowerCase())) depth = ['true', '1'].includes(xray.toLowerCase());
      else throw new UnprocessableEntityException({ detail: 'xray must be a boolean or a non-negative integer' });
    }
    const drawable = await graph.getGraphAsync({ xray: depth } as never);
    return drawable.toJSON() as AssistantGraph;
  }

  async schemas(idOrGraph: string): Promise<AssistantSchemas> {
    const assistant = await this.assistants.get(idOrGraph);
    const graph = await this.graphs.get(assistant.graph_id, { configurable: {} });
    const schemas = await this.complete(assistant.graph_id, graph, '', await this.readersFor(assistant.graph_id));
    return {
      graph_id: assistant.graph_id,
      input_schema: schemas.input,
      output_schema: schemas.output,
      state_schema: schemas.state,
      config_schema: schemas.config ?? { title: 'Config', type: 'object', properties: {} },
      // A JS graph's context schema is its config schema (LangGraph.js declares one `context` for both).
      context_schema: schemas.config,
    };
  }

  /** `{namespace: {state, input, output, config}}`, the shape the LangGraph server answers. */
  async subgraphs(idOrGraph: string, namespace: string | undefined, recurse: boolean): Promise<Record<string, GraphSchemaSet>> {
    const assistant = await this.assistants.get(idOrGraph);
    const graph = await this.load(idOrGraph);
    const readers = await this.readersFor(assistant.graph_id);
    const result: Record<string, GraphSchemaSet> = {};
    for await (const [name, subgraph] of graph.getSubgraphsAsync(namespace, recurse)) {
      result[name] = await this.complete(assistant.graph_id, subgraph, name, readers);
    }
    return result;
  }

  /**
   * Runtime schemas first; the graph's TypeScript types only for what they leave out (read once per graph, in
   * a worker). A subgraph the types do not reach keeps its channel list (the reference would answer the root
   * graph's schemas for it, which describe another state).
   */
  private async complete(graphId: string, graph: unknown, namespace: string, readers: SchemaReaders): Promise<GraphSchemaSet> {
    const runtime = runtimeGraphSchemas(graph, readers);
    let fromTypes: TypeSchemasByNamespace | null = null;
    const spec = this.graphs.specOf(graphId);
    if (lacksSchemas(runtime) && spec) fromTypes = await this.typeSchemas.schemasOf(graphId, spec);
    return completeGraphSchemas(graph, runtime, fromTypes?.[namespace]);
  }

  /** The project's own schema readers: LangGraph's Zod registry lives in the copy the graph was built with. */
  private readersFor(graphId: string): Promise<SchemaReaders> {
    let readers = this.readers.get(graphId);
    if (!readers) {
      readers = this.graphs
        .importBesideGraph(graphId, '@langchain/langgraph/zod/schema')
        .then((own) => (own && typeof own['getStateTypeSchema'] === 'function' ? (own as unknown as SchemaReaders) : ownReaders));
      this.readers.set(graphId, readers);
    }
    return readers;
  }

  private async load(idOrGraph: string): Promise<RunnableGraph> {
    const assistant = await this.assistants.get(idOrGraph);
    return this.graphs.get(assistant.graph_id, { configurable: { ...(assistant.config.configurable ?? {}) } });
  }
}
