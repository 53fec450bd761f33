import { defaultAssistantId, isUuid, uuid7 } from './ids';

describe('ids', () => {
  it('derives the default assistant id exactly as LangGraph servers do', () => {
    expect(defaultAssistantId('agent')).toBe('fe096781-5601-53d2-b2f6-0d3403f7e9ca');
    expect(defaultAssistantId('chat')).toBe('eb6db400-e3c8-5d06-a834-015cb89efe69');
  });

  it('makes version 7 ids that sort by creation time', () => {
    const first = uuid7(1_700_000_000_000);
    const second = uuid7(1_700_000_000_001);
    expect(isUuid(first)).toBe(true);
    expect(first[14]).toBe('7');
    expect(first < second).toBe(true);
  });

  it('tells uuids from other strings', () => {
    expect(isUuid('agent')).toBe(false);
    expect(isUuid('fe096781-5601-53d2-b2f6-0d3403f7e9ca')).toBe(true);
  });
});
