import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import fc from 'fast-check';
import { serializeError, toWire, toWireJson, toWireValue } from './serialize';

describe('toWireJson', () => {
  it('turns LangChain messages into plain dicts with their type', () => {
    const wire = toWireValue<{ messages: Record<string, unknown>[] }>({
      messages: [new HumanMessage({ content: 'hi', id: 'h1' }), new AIMessage({ content: 'yo', id: 'a1' })],
    });
    expect(wire.messages[0]).toMatchObject({ type: 'human', content: 'hi', id: 'h1' });
    expect(wire.messages[1]).toMatchObject({ type: 'ai', content: 'yo', id: 'a1' });
    expect(JSON.stringify(wire)).not.toContain('"lc":1');
  });

  it('keeps plain JSON as it is and answers null for undefined', () => {
    expect(toWireJson({ a: [1, 'b', null] })).toBe('{"a":[1,"b",null]}');
    expect(toWireJson(undefined)).toBe('null');
  });

  it('converts a message once while its fields stay the same, and again once one is reassigned', () => {
    const messages = [new HumanMessage({ content: 'hi', id: 'h1' }), new AIMessage({ content: 'yo', id: 'a1' })];
    const toDict = jest.spyOn(HumanMessage.prototype, 'toDict');
    const first = toWireJson({ messages });
    expect(toWireJson({ messages: [...messages, new AIMessage('more')] })).toContain(first.slice(13, -2));
    expect(toDict).toHaveBeenCalledTimes(1);
    messages[0].content = 'edited';
    expect(toWireValue<{ messages: { content: string }[] }>({ messages }).messages[0].content).toBe('edited');
    toDict.mockRestore();
  });

  it('never builds a known message’s LangChain envelope (toJSON) again, wherever it sits in plain containers', () => {
    const messages = [new HumanMessage({ content: 'hi', id: 'h1' }), new AIMessage({ content: 'yo', id: 'a1' })];
    toWireJson({ messages });
    const toJSON = jest.spyOn(AIMessage.prototype, 'toJSON');
    const values = { messages, nested: { last: [messages[1]] }, when: new Date(0) };
    expect(toWireValue(values)).toEqual({
      messages: [expect.objectContaining({ type: 'human', content: 'hi' }), expect.objectContaining({ type: 'ai', content: 'yo' })],
      nested: { last: [expect.objectContaining({ type: 'ai', id: 'a1' })] },
      when: '1970-01-01T00:00:00.000Z',
    });
    expect(toJSON).not.toHaveBeenCalled();
    // The caller's containers are left as they were.
    expect(values.messages[1]).toBeInstanceOf(AIMessage);
    toJSON.mockRestore();
  });

  it('still converts a message it cannot reach by plain containers, and fails on a cycle as JSON does', () => {
    class Holder {
      constructor(readonly message: AIMessage) {}
    }
    expect(toWireValue({ held: new Holder(new AIMessage({ content: 'deep', id: 'd1' })) })).toEqual({
      held: { message: expect.objectContaining({ type: 'ai', content: 'deep' }) },
    });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => toWireJson(cyclic)).toThrow(TypeError);
  });
});

describe('toWireJson against JSON.stringify', () => {
  /** What the wire form is by definition: JSON.stringify with every message, wherever it is, as its wire dict. */
  function reference(value: unknown): string {
    return (
      JSON.stringify(value, function replace(this: Record<string, unknown>, key: string, converted: unknown) {
        const raw = this[key] as BaseMessage | undefined;
        if (raw instanceof AIMessage || raw instanceof HumanMessage) {
          const { type, data } = raw.toDict();
          return { ...data, type };
        }
        return converted;
      }) ?? 'null'
    );
  }

  class Box {
    constructor(readonly inside: unknown) {}
  }

  const messages = fc.oneof(
    fc.record({ content: fc.string(), id: fc.string() }).map((fields) => new HumanMessage(fields)),
    fc.record({ content: fc.string(), id: fc.string() }).map((fields) => new AIMessage(fields)),
  );
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue(),
      fc.constant(undefined),
      fc.double(),
      fc.date({ noInvalidDate: true }),
      messages,
      tie('tree').map((inside) => new Box(inside)),
      fc.array(tie('tree'), { maxLength: 5 }),
      fc.dictionary(fc.string(), tie('tree'), { maxKeys: 5 }),
    ),
  }));

  it('writes exactly the bytes JSON.stringify writes for any mix of plain data, messages, dates, class instances and holes', () => {
    fc.assert(
      fc.property(tree, (value) => {
        expect(toWireJson(value)).toBe(reference(value));
        // Twice: the second time from the kept texts.
        expect(toWireJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('hands back, beside the text, data equal to what parsing the text gives, sharing kept dicts only for plain data', () => {
    fc.assert(
      fc.property(tree, (value) => {
        const wire = toWire(value);
        expect(wire.json).toBe(reference(value));
        expect(wire.value).toStrictEqual(JSON.parse(wire.json));
      }),
      { numRuns: 500 },
    );
    // A message's dict is made once and shared by every wire form that holds the message.
    const message = new AIMessage({ content: 'kept', id: 'k1' });
    const first = toWire({ messages: [message] }).value as { messages: unknown[] };
    const second = toWire({ messages: [message], more: 1 }).value as { messages: unknown[] };
    expect(second.messages[0]).toBe(first.messages[0]);
  });

  it('parses the text back when a message holds data that is not plain JSON (NaN in its kwargs)', () => {
    const wire = toWire({ messages: [new AIMessage({ content: 'scored', id: 's1', additional_kwargs: { score: Number.NaN } })] });
    expect(wire.value).toStrictEqual(JSON.parse(wire.json));
    expect((wire.value as { messages: Array<{ additional_kwargs: { score: unknown } }> }).messages[0]?.additional_kwargs.score).toBeNull();
  });

  it('writes a message reassigned since its text was kept anew', () => {
    const message = new AIMessage({ content: 'first', id: 'm1' });
    expect(toWireJson([message])).toBe(reference([message]));
    message.content = 'second';
    expect(toWireJson([message])).toContain('"content":"second"');
  });
});

describe('serializeError', () => {
  it('names the error class and keeps the message', () => {
    expect(serializeError(new TypeError('bad'))).toEqual({ error: 'TypeError', message: 'bad' });
    expect(serializeError('plain')).toEqual({ error: 'Error', message: 'plain' });
  });
});
