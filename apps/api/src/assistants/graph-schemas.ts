type JsonSchema = Record<string, unknown>;

/** The schema readers of `@langchain/langgraph/zod/schema`, taken from the copy the graph itself uses. */
export interface SchemaReaders {
  getStateTypeSchema: (graph: unknown) => unknown;
  getUpdateTypeSchema: (graph: unknown) => unknown;
  getInputTypeSchema: (graph: unknown) => unknown;
  getOutputTypeSchema: (graph: unknown) => unknown;
  getConfigTypeSchema: (graph: unknown) => unknown;
}

export interface GraphSchemaSet {
  state: JsonSchema | null;
  input: JsonSchema | null;
  output: JsonSchema | null;
  config: JsonSchema | null;
}

interface Builder {
  _schemaRuntimeDefinition?: unknown;
  channels?: Record<string, unknown>;
}

const builderOf = (graph: unknown): Builder | undefined => (graph as { builder?: Builder } | null)?.builder;

function read(reader: (graph: unknown) => unknown, graph: unknown): JsonSchema | null {
  try {
    const schema = reader(graph);
    return typeof schema === 'object' && schema !== null ? (schema as JsonSchema) : null;
  } catch {
    // A state the readers cannot convert (e.g. an exotic zod type): the channel list below still answers.
    return null;
  }
}

// The messages reducer is the mark of a messages channel in an Annotation state, whichever copy made it.
function isMessagesChannel(channel: unknown): boolean {
  const operator = (channel as { operator?: { name?: string } } | null)?.operator;
  return operator?.name === 'messagesStateReducer';
}

/** Annotation states carry no types at run time: list their channels, marking message channels as LangGraph does. */
function channelSchema(graph: unknown, title: string): JsonSchema | null {
  const channels = builderOf(graph)?.channels;
  if (!channels) return null;
  const properties = Object.fromEntries(
    Object.entries(channels)
      .filter(([key]) => !key.startsWith('__'))
      .map(([key, channel]) => [key, isMessagesChannel(channel) ? { type: 'array', items: {}, langgraph_type: 'messages' } : {}]),
  );
  return { title, type: 'object', properties };
}

/**
 * The JSON schemas of a graph, in the order the LangGraph server tries: a `StateSchema` state describes itself
 * (its `MessagesValue` fields carry `langgraph_type: "messages"`); a Zod state goes through LangGraph's schema
 * registry, which adds each field's `jsonSchemaExtra`; the state is the update schema there, as in the reference.
 * Anything else (Annotation) falls back to its channel list.
 */
export function extractGraphSchemas(graph: unknown, readers: SchemaReaders | null): GraphSchemaSet {
  const definition = builderOf(graph)?._schemaRuntimeDefinition;
  const isStateSchema = typeof (definition as { getJsonSchema?: unknown } | null)?.getJsonSchema === 'function';
  const fromReaders = (pick: (r: SchemaReaders) => (graph: unknown) => unknown) => (readers ? read(pick(readers), graph) : null);
  return {
    state: fromReaders((r) => (isStateSchema ? r.getStateTypeSchema : r.getUpdateTypeSchema)) ?? channelSchema(graph, 'State'),
    input: fromReaders((r) => r.getInputTypeSchema) ?? channelSchema(graph, 'Input'),
    output: fromReaders((r) => r.getOutputTypeSchema) ?? channelSchema(graph, 'Output'),
    config: fromReaders((r) => r.getConfigTypeSchema),
  };
}
