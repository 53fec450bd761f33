import { join } from 'node:path';
import { extractTypeSchemas, type TypeSchemasByNamespace } from './type-schema-extractor';

const FIXTURES = join(__dirname, 'testing');
const MESSAGE_REF = '#/definitions/BaseMessage<MessageStructure<MessageToolSet>,MessageType>';
// The TypeScript compiler reads LangChain's typings: seconds of CPU, more on a busy machine.
const COMPILE_TIMEOUT_MS = 180_000;

describe('extractTypeSchemas', () => {
  let typed: TypeSchemasByNamespace;

  beforeAll(() => {
    typed = extractTypeSchemas({ modulePath: join(FIXTURES, 'typed-graph.ts'), exportName: 'graph' });
  }, COMPILE_TIMEOUT_MS);

  it('reads the state of a graph exported as a Promise from its Annotation types, messages as BaseMessage[]', () => {
    expect(typed['']?.state).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        phase: { type: 'string', enum: ['draft', 'final'] },
        budget: { anyOf: [{ $ref: expect.stringContaining('#/definitions/') }, { type: 'null' }] },
        messages: { type: 'array', items: { $ref: MESSAGE_REF } },
      },
    });
    // The abstract BaseMessage answers as the classes that extend it as is, with bare (module-free) names.
    const definitions = typed['']?.state?.['definitions'] as Record<string, unknown>;
    expect(definitions['BaseMessage<MessageStructure<MessageToolSet>,MessageType>']).toMatchObject({
      description: expect.stringContaining('Base class for all types of messages'),
      oneOf: [{ $ref: '#/definitions/RemoveMessage' }],
    });
    expect(Object.keys(definitions).filter((name) => name.includes('import('))).toEqual([]);
  });

  it('reads the input, the output and the context (config) types', () => {
    expect(typed['']?.input).toMatchObject({ properties: { phase: { enum: ['draft', 'final'] }, messages: { type: 'array' } } });
    expect(typed['']?.output).toMatchObject({ properties: { phase: { enum: ['draft', 'final'] } } });
    expect(typed['']?.config).toMatchObject({ type: 'object', properties: { model: { type: 'string', enum: ['large', 'small'] } } });
  });

  it('finds the subgraphs by namespace: chained, added by a statement, and imported from another module', () => {
    expect(Object.keys(typed).sort()).toEqual(['', 'child', 'review']);
    expect(typed['child']?.state).toMatchObject({
      properties: { verdict: { type: 'string', enum: ['approve', 'reject'] }, notes: { type: 'array', items: { type: 'string' } } },
    });
    expect(typed['review']?.state).toMatchObject({ properties: { score: { type: 'number' } } });
    // A graph that declares no context has no config schema, rather than an open object.
    expect(typed['child']?.config).toBeNull();
  });

  it('answers no schema for a graph whose types the project does not resolve', () => {
    const untyped = extractTypeSchemas({ modulePath: join(FIXTURES, 'untyped-graph.ts'), exportName: 'graph' });
    expect(untyped).toEqual({ '': { state: null, input: null, output: null, config: null } });
  });

  it('fails on a module it cannot read', () => {
    expect(() => extractTypeSchemas({ modulePath: join(FIXTURES, 'no-such-graph.ts'), exportName: 'graph' })).toThrow(/cannot read/);
  });
});
