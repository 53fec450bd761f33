import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { AssistantGraph, AssistantSchemas } from '@runhook/contracts';
import { getConfigTypeSchema, getInputTypeSchema, getOutputTypeSchema, getStateTypeSchema } from '@langchain/langgraph/zod/schema';
import { GraphRegistry, type RunnableGraph } from '../graphs/graph-registry.service';
import { AssistantsService } from './assistants.service';

type JsonSchema = Record<string, unknown>;

/** Annotation-based states carry no types at run time: list their channels so clients see the keys. */
function channelSchema(graph: RunnableGraph, title: string): JsonSchema | null {
  const channels = (graph as unknown as { builder?: { channels?: Record<string, unknown> } }).builder?.channels;
  if (!channels) return null;
  const properties = Object.fromEntries(
    Object.keys(channels)
      .filter((key) => !key.startsWith('__'))
      .map((key) => [key, {}]),
  );
  return { title, type: 'object', properties };
}

function schemaOf(graph: RunnableGraph, read: (graph: unknown) => unknown, title: string): JsonSchema | null {
  try {
    const schema = read(graph) as JsonSchema | undefined;
    if (schema) return schema;
  } catch {
    // Not a zod-typed graph: fall through to the channel list.
  }
  return channelSchema(graph, title);
}

@Injectable()
export class AssistantGraphService {
  constructor(
    private readonly assistants: AssistantsService,
    private readonly graphs: GraphRegistry,
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
    return {
      graph_id: assistant.graph_id,
      input_schema: schemaOf(graph, getInputTypeSchema, 'Input'),
      output_schema: schemaOf(graph, getOutputTypeSchema, 'Output'),
      state_schema: schemaOf(graph, getStateTypeSchema, 'State'),
      config_schema: schemaOf(graph, getConfigTypeSchema, 'Config') ?? { title: 'Config', type: 'object', properties: {} },
      context_schema: null,
    };
  }

  async subgraphs(idOrGraph: string, namespace: string | undefined, recurse: boolean): Promise<Record<string, AssistantSchemas>> {
    const assistant = await this.assistants.get(idOrGraph);
    const graph = await this.load(idOrGraph);
    const result: Record<string, AssistantSchemas> = {};
    for await (const [name, subgraph] of graph.getSubgraphsAsync(namespace, recurse)) {
      result[name] = {
        graph_id: assistant.graph_id,
        input_schema: schemaOf(subgraph, getInputTypeSchema, 'Input'),
        output_schema: schemaOf(subgraph, getOutputTypeSchema, 'Output'),
        state_schema: schemaOf(subgraph, getStateTypeSchema, 'State'),
        config_schema: schemaOf(subgraph, getConfigTypeSchema, 'Config'),
        context_schema: null,
      };
    }
    return result;
  }

  private async load(idOrGraph: string): Promise<RunnableGraph> {
    const assistant = await this.assistants.get(idOrGraph);
    return this.graphs.get(assistant.graph_id, { configurable: { ...(assistant.config.configurable ?? {}) } });
  }
}
