import { AIMessage } from '@langchain/core/messages';
import { Annotation, END, MessagesAnnotation, MessagesValue, START, StateGraph, StateSchema } from '@langchain/langgraph';
import { withLangGraph } from '@langchain/langgraph/zod';
import * as readers from '@langchain/langgraph/zod/schema';
import { z as z3 } from 'zod/v3';
import { z } from 'zod/v4';
import { completeGraphSchemas, extractGraphSchemas, lacksSchemas, runtimeGraphSchemas } from './graph-schemas';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function compileOneNode(builder: any, update: Record<string, unknown>) {
  return builder.addNode('step', () => update).addEdge(START, 'step').addEdge('step', END).compile();
}

describe('extractGraphSchemas', () => {
  it('reads a StateSchema state, its MessagesValue marked as messages', () => {
    const State = new StateSchema({ messages: MessagesValue, count: z.number().default(0) });
    const schemas = extractGraphSchemas(compileOneNode(new StateGraph(State), { count: 1 }), readers);
    expect(schemas.state).toMatchObject({ type: 'object', properties: { messages: { langgraph_type: 'messages' }, count: { type: 'number' } } });
    expect(schemas.input).toMatchObject({ properties: { messages: { langgraph_type: 'messages' } } });
    expect(schemas.output).toMatchObject({ properties: { count: { type: 'number' } } });
  });

  it("reads a Zod state through LangGraph's registry, with each field's jsonSchemaExtra, and the context schema", () => {
    const State = z3.object({
      messages: withLangGraph(z3.array(z3.string()), {
        reducer: { schema: z3.string(), fn: (left: string[], right: string) => [...left, right] },
        default: () => [],
        jsonSchemaExtra: { langgraph_type: 'messages' },
      }),
      status: z3.enum(['idle', 'done']).default('idle'),
    });
    const Context = z3.object({ tone: z3.string() });
    const schemas = extractGraphSchemas(compileOneNode(new StateGraph({ state: State, context: Context }), { status: 'done' }), readers);
    // As in the reference, the state is the update schema: a messages field takes its reducer's input.
    expect(schemas.state).toMatchObject({ properties: { messages: { type: 'string', langgraph_type: 'messages' }, status: { enum: ['idle', 'done'] } } });
    expect(schemas.output).toMatchObject({ properties: { messages: { type: 'array', langgraph_type: 'messages' } } });
    expect(schemas.config).toMatchObject({ type: 'object', properties: { tone: { type: 'string' } } });
  });

  it('reads a plain Zod state without inventing extras', () => {
    const State = z.object({ items: z.array(z.string()).default([]), counter: z.number().default(0) });
    const schemas = extractGraphSchemas(compileOneNode(new StateGraph(State), { counter: 1 }), readers);
    expect(schemas.state).toMatchObject({ properties: { items: { type: 'array' }, counter: { type: 'number' } } });
    expect(schemas.state?.['properties']).not.toHaveProperty('items.langgraph_type');
    expect(schemas.config).toBeNull();
  });

  it('lists the channels of an Annotation state, marking the messages channel', () => {
    const State = Annotation.Root({ ...MessagesAnnotation.spec, note: Annotation<string>() });
    const graph = compileOneNode(new StateGraph(State), { messages: [new AIMessage('x')] });
    for (const withReaders of [readers, null]) {
      const schemas = extractGraphSchemas(graph, withReaders);
      expect(schemas.state).toEqual({
        title: 'State',
        type: 'object',
        properties: { messages: { type: 'array', items: {}, langgraph_type: 'messages' }, note: {} },
      });
    }
  });

  it('takes what the runtime lacks from the types, marking message channels, and the channel list last', () => {
    const State = Annotation.Root({ ...MessagesAnnotation.spec, note: Annotation<string>() });
    const graph = compileOneNode(new StateGraph(State), { note: 'x' });
    const runtime = runtimeGraphSchemas(graph, readers);
    expect(runtime).toEqual({ state: null, input: null, output: null, config: null });
    expect(lacksSchemas(runtime)).toBe(true);

    const typed = { type: 'object', properties: { messages: { type: 'array', items: { $ref: '#/definitions/BaseMessage' } }, note: { type: 'string' } } };
    const schemas = completeGraphSchemas(graph, runtime, { state: typed, input: null, output: typed, config: { type: 'object', properties: {} } });
    expect(schemas.state).toEqual({
      type: 'object',
      properties: { messages: { type: 'array', items: { $ref: '#/definitions/BaseMessage' }, langgraph_type: 'messages' }, note: { type: 'string' } },
    });
    expect(schemas.input).toMatchObject({ title: 'Input', properties: { messages: { langgraph_type: 'messages' }, note: {} } });
    expect(schemas.config).toEqual({ type: 'object', properties: {} });
  });

  it('keeps a runtime schema over the types', () => {
    const State = z.object({ counter: z.number().default(0) });
    const graph = compileOneNode(new StateGraph(State), { counter: 1 });
    const runtime = runtimeGraphSchemas(graph, readers);
    const schemas = completeGraphSchemas(graph, runtime, { state: { title: 'from types' }, input: null, output: null, config: { title: 'context from types' } });
    expect(schemas.state).toMatchObject({ properties: { counter: { type: 'number' } } });
    expect(schemas.config).toEqual({ title: 'context from types' });
  });
});
