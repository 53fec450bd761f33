import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { serializeError, toWireJson, toWireValue } from './serialize';

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

describe('serializeError', () => {
  it('names the error class and keeps the message', () => {
    expect(serializeError(new TypeError('bad'))).toEqual({ error: 'TypeError', message: 'bad' });
    expect(serializeError('plain')).toEqual({ error: 'Error', message: 'plain' });
  });
});
