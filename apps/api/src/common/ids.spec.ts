import { uuid6 } from '@langchain/langgraph-checkpoint';
import { defaultAssistantId, isUuid, uuid4, uuid6Time, uuid7 } from './ids';

describe('ids', () => {
  it('derives the default assistant id exactly as LangGraph servers do', () => {
    expect(defaultAssistantId('agent')).toBe('fe096781-5601-53d2-b2f6-0d3403f7e9ca');
    expect(defaultAssistantId('chat')).toBe('eb6db400-e3c8-5d06-a834-015cb89efe69');
  });

  it('answers the same default assistant id on every call, for graph ids past the ones it remembers too', () => {
    const graphIds = Array.from({ length: 1_500 }, (_, i) => `graph-${i}`);
    const first = graphIds.map(defaultAssistantId);
    expect(new Set(first).size).toBe(graphIds.length);
    expect(graphIds.map(defaultAssistantId)).toEqual(first);
    expect(defaultAssistantId('agent')).toBe('fe096781-5601-53d2-b2f6-0d3403f7e9ca');
  });

  it('makes version 7 ids that sort by creation time', () => {
    const first = uuid7(1_700_000_000_000);
    const second = uuid7(1_700_000_000_001);
    expect(isUuid(first)).toBe(true);
    expect(first[14]).toBe('7');
    expect(first < second).toBe(true);
  });

  it('never repeats an id across refills of its random pool, and keeps the version and variant bits', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => (i % 2 ? uuid4() : uuid7(1_700_000_000_000)));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    // Ids made in the same millisecond differ in their random part, not only after a refill.
    expect(new Set(ids.filter((id) => id[14] === '7').map((id) => id.slice(19))).size).toBe(1_000);
  });

  it('tells uuids from other strings', () => {
    expect(isUuid('agent')).toBe(false);
    expect(isUuid('fe096781-5601-53d2-b2f6-0d3403f7e9ca')).toBe(true);
  });
});

describe('uuid6Time', () => {
  it('reads the creation time of LangGraph checkpoint ids', () => {
    const before = Date.now();
    const time = uuid6Time(uuid6(-1));
    expect(time).not.toBeNull();
    expect(time as number).toBeGreaterThanOrEqual(before - 1);
    expect(time as number).toBeLessThanOrEqual(Date.now() + 1);
    expect(uuid6Time('fe096781-5601-53d2-b2f6-0d3403f7e9ca')).toBeNull();
  });
});
