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

const KINDS = ['state', 'input', 'output', 'config'] as const;

/**
 * The schemas a graph describes at run time, in the order the LangGraph server tries: a `StateSchema` state
 * describes itself (its `MessagesValue` fields carry `langgraph_type: "messages"`); a Zod state goes through
 * LangGraph's schema registry, which adds each field's `jsonSchemaExtra`; the state is the update schema there, as
 * in the reference. Null where the graph carries no runtime schema (Annotation states).
 */
export function runtimeGraphSchemas(graph: unknown, readers: SchemaReaders | null): GraphSchemaSet {
  const definition = builderOf(graph)?._schemaRuntimeDefinition;
  const isStateSchema = typeof (definition as { getJsonSchema?: unknown } | null)?.getJsonSchema === 'function';
  const fromReaders = (pick: (r: SchemaReaders) => (graph: unknown) => unknown) => (readers ? read(pick(readers), graph) : null);
  return {
    state: fromReaders((r) => (isStateSchema ? r.getStateTypeSchema : r.getUpdateTypeSchema)),
    input: fromReaders((r) => r.getInputTypeSchema),
    output: fromReaders((r) => r.getOutputTypeSchema),
    config: fromReaders((r) => r.getConfigTypeSchema),
  };
}

/** Whether some schema is missing at run time, so that the graph's TypeScript types are worth reading. */
export function lacksSchemas(schemas: GraphSchemaSet): boolean {
  return KINDS.some((kind) => schemas[kind] === null);
}

/** A schema read from types, its message channels (known at run time by their reducer) marked as LangGraph does. */
function withMessageMarks(graph: unknown, schema: JsonSchema | null | undefined): JsonSchema | null {
  if (!schema) return null;
  const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
  const channels = builderOf(graph)?.channels ?? {};
  const marked = Object.keys(properties ?? {}).filter((key) => isMessagesChannel(channels[key]));
  if (!properties || marked.length === 0) return schema;
  const withMarks = { ...properties };
  for (const key of marked) withMarks[key] = { ...properties[key], langgraph_type: 'messages' };
  return { ...schema, properties: withMarks };
}

/**
 * Each schema from the first source that has it: the runtime schemas, then those read from the graph's
 * TypeScript types (`fromTypes`), then, for the state, input and output, the list of the graph's channels.
 */
export function completeGraphSchemas(graph: unknown, runtime: GraphSchemaSet, fromTypes: GraphSchemaSet | null | undefined): GraphSchemaSet {
  return {
    state: runtime.state ?? withMessageMarks(graph, fromTypes?.state) ?? channelSchema(graph, 'State'),
    input: runtime.input ?? withMessageMarks(graph, fromTypes?.input) ?? channelSchema(graph, 'Input'),
    output: runtime.output ?? withMessageMarks(graph, fromTypes?.output) ?? channelSchema(graph, 'Output'),
    config: runtime.config ?? fromTypes?.config ?? null,
  };
}

/** The JSON schemas of a graph from what it carries at run time, the channel list standing in for types. */
export function extractGraphSchemas(graph: unknown, readers: SchemaReaders | null): GraphSchemaSet {
  return completeGraphSchemas(graph, runtimeGraphSchemas(graph, readers), null);
}
