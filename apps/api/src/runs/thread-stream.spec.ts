import { UnprocessableEntityException } from '@nestjs/common';
import { parseThreadCursor, parseThreadStreamModes, passesRunEvent, threadEventId } from './thread-stream';

describe('thread stream options', () => {
  it('reads the SDK’s repeated stream_mode and the Platform’s comma-separated stream_modes; run_modes by default', () => {
    expect([...parseThreadStreamModes(undefined, undefined)]).toEqual(['run_modes']);
    expect([...parseThreadStreamModes(['lifecycle', 'state_update'], undefined)]).toEqual(['lifecycle', 'state_update']);
    expect([...parseThreadStreamModes(undefined, 'lifecycle,state_update')]).toEqual(['lifecycle', 'state_update']);
    expect(() => parseThreadStreamModes('values', undefined)).toThrow(UnprocessableEntityException);
  });

  it('numbers events <run_id>:<seq> and <run_id>:done, and resumes from either', () => {
    const runId = '01a2338d-73d7-7917-b62e-c118a006d7be';
    expect(parseThreadCursor(threadEventId(runId, 4))).toEqual({ runId, afterSeq: 4 });
    expect(parseThreadCursor(threadEventId(runId, 'done'))).toEqual({ runId, afterSeq: 'done' });
    for (const other of [undefined, '', '-', '7', `${runId}:x`]) expect(parseThreadCursor(other)).toBeNull();
  });

  it('passes every run event in run_modes, only the run start in lifecycle, none in state_update', () => {
    expect(passesRunEvent(new Set(['run_modes']), 'values')).toBe(true);
    expect(passesRunEvent(new Set(['lifecycle']), 'metadata')).toBe(true);
    expect(passesRunEvent(new Set(['lifecycle']), 'values')).toBe(false);
    expect(passesRunEvent(new Set(['state_update']), 'metadata')).toBe(false);
  });
});
