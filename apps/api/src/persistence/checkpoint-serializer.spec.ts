import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { JsonPlusSerializer } from '@langchain/langgraph-checkpoint';
import { CheckpointSerializer } from './checkpoint-serializer';

function conversation(turns: number): BaseMessage[] {
  const messages: BaseMessage[] = [];
  for (let i = 0; i < turns; i += 1) {
    messages.push(new HumanMessage({ content: `question ${i}`, id: `h-${i}` }));
    messages.push(new AIMessage({ content: `answer ${i}`, id: `a-${i}`, response_metadata: { turn: i } }));
  }
  return messages;
}

function checkpointOf(messages: BaseMessage[], id = 'c1') {
  return {
    v: 4,
    id,
    ts: '2026-12-02T00:00:00.000Z',
    channel_values: { __start__: { messages: [] }, messages, extra: undefined, tags: new Set(['a']) },
    channel_versions: { messages: 3, __start__: 2 },
    versions_seen: { agent: { messages: 2 } },
  };
}

const official = new JsonPlusSerializer();
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('CheckpointSerializer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('writes the official serializer’s bytes, for a whole checkpoint and for a channel’s list alone', async () => {
    const serializer = new CheckpointSerializer();
    const messages = conversation(10);
    for (const value of [checkpointOf(messages), messages, { small: [1, 2] }, conversation(2)]) {
      const [type, bytes] = await serializer.dumpsTyped(value);
      const [officialType, officialBytes] = await official.dumpsTyped(value);
      expect(type).toBe(officialType);
      expect(text(bytes)).toBe(text(officialBytes));
    }
  });

  it('serializes a message once while the list grows, and again once a field it reads is reassigned', async () => {
    const serializer = new CheckpointSerializer();
    const messages = conversation(10);
    await serializer.dumpsTyped(checkpointOf(messages));
    const toJSON = jest.spyOn(HumanMessage.prototype, 'toJSON');
    const longer = [...messages, new HumanMessage({ content: 'new', id: 'h-new' })];
    const [, bytes] = await serializer.dumpsTyped(checkpointOf(longer, 'c2'));
    expect(toJSON).toHaveBeenCalledTimes(1);
    expect(text(bytes)).toBe(text((await official.dumpsTyped(checkpointOf(longer, 'c2')))[1]));

    longer[0].content = 'edited';
    const [, edited] = await serializer.dumpsTyped(checkpointOf(longer, 'c3'));
    expect(text(edited)).toContain('"edited"');
    expect(text(edited)).toBe(text((await official.dumpsTyped(checkpointOf(longer, 'c3')))[1]));
  });

  it('reads back what the official reader gives, without reviving the messages again', async () => {
    const serializer = new CheckpointSerializer();
    const checkpoint = checkpointOf(conversation(10));
    const [, bytes] = await serializer.dumpsTyped(checkpoint);
    const expected = await official.loadsTyped('json', bytes);
    const officialRead = jest.spyOn(JsonPlusSerializer.prototype, 'loadsTyped');
    const first = (await serializer.loadsTyped('json', Buffer.from(bytes))) as ReturnType<typeof checkpointOf>;
    const second = (await serializer.loadsTyped('json', Buffer.from(bytes))) as ReturnType<typeof checkpointOf>;
    expect(first).toEqual(expected);
    expect(second).toEqual(expected);
    expect(first.channel_values.messages[1]).toBeInstanceOf(AIMessage);
    // Each message is revived once from its own text (the skeleton once); the second read revives nothing.
    expect(officialRead.mock.calls.filter(([, data]) => String(data).length > 2000)).toHaveLength(0);
    const callsAfterFirst = officialRead.mock.calls.length;
    await serializer.loadsTyped('json', Buffer.from(bytes));
    expect(officialRead.mock.calls.length).toBe(callsAfterFirst);
  });

  it('gives every reader its own arrays and objects, so a reader’s changes stay its own', async () => {
    const serializer = new CheckpointSerializer();
    const [, bytes] = await serializer.dumpsTyped(checkpointOf(conversation(10)));
    const first = (await serializer.loadsTyped('json', bytes)) as ReturnType<typeof checkpointOf>;
    first.channel_values.messages.push(new HumanMessage('appended by a reader'));
    first.versions_seen.agent.messages = 99;
    const second = (await serializer.loadsTyped('json', bytes)) as ReturnType<typeof checkpointOf>;
    expect(second.channel_values.messages).toHaveLength(20);
    expect(second.versions_seen.agent.messages).toBe(2);
  });

  it('reads bytes the official serializer wrote, and keeps them decoded for the next read', async () => {
    const serializer = new CheckpointSerializer();
    const [, bytes] = await official.dumpsTyped(conversation(20));
    expect(bytes.length).toBeGreaterThan(5000);
    const first = await serializer.loadsTyped('json', bytes);
    expect(first).toEqual(await official.loadsTyped('json', bytes));
    const officialRead = jest.spyOn(JsonPlusSerializer.prototype, 'loadsTyped');
    expect(await serializer.loadsTyped('json', Buffer.from(bytes))).toEqual(first);
    expect(officialRead).not.toHaveBeenCalled();
  });

  it('forgets the least recently used values past its size bound', async () => {
    const serializer = new CheckpointSerializer({ maxDecodedBytes: 40_000 });
    const blobs: Uint8Array[] = [];
    for (let i = 0; i < 6; i += 1) blobs.push((await serializer.dumpsTyped(checkpointOf(conversation(20), `c${i}`)))[1]);
    expect(blobs[0].length).toBeGreaterThan(5000);
    const officialRead = jest.spyOn(JsonPlusSerializer.prototype, 'loadsTyped');
    await serializer.loadsTyped('json', blobs[5]);
    const afterNewest = officialRead.mock.calls.length;
    await serializer.loadsTyped('json', blobs[0]);
    expect(officialRead.mock.calls.length).toBeGreaterThan(afterNewest);
  });
});
