import { validateContract } from '../common/contract-validation.util';
import { CreateThreadDto, UpdateThreadDto } from './create-thread.dto';
import { PruneThreadsDto } from './prune-threads.dto';
import { CountThreadsDto, SearchThreadsDto } from './search-threads.dto';
import { ThreadHistoryDto, ThreadStateAtCheckpointDto, UpdateThreadStateDto } from './thread-state.dto';

const threadId = '018f2c1e-8a5b-7c3d-9e4f-123456789abc';

describe('thread DTOs', () => {
  it('accepts the body the SDK sends for threads.create, supersteps included', () => {
    const body = {
      thread_id: threadId,
      metadata: { graph_id: 'agent' },
      if_exists: 'raise',
      ttl: { ttl: 60, strategy: 'delete' },
      supersteps: [{ updates: [{ values: { messages: [] }, as_node: '__input__' }, { command: { goto: 'a' }, as_node: 'b' }] }],
    };

    const sut = validateContract(CreateThreadDto, body);

    expect(sut).toEqual({ ok: true, value: body });
  });

  it('names the nested path of a bad superstep update', () => {
    const sut = validateContract(CreateThreadDto, { supersteps: [{ updates: [{ values: {} }] }] });

    expect(sut).toEqual({ ok: false, errors: ['supersteps.0.updates.0.as_node must be a string'] });
  });

  it('rejects wrong types and strips unknown fields', () => {
    expect(validateContract(CreateThreadDto, { thread_id: 'abc', metadata: [] })).toEqual({
      ok: false,
      errors: ['metadata must be an object', 'thread_id must be a UUID'],
    });
    expect(validateContract(UpdateThreadDto, { metadata: { a: 1 }, status: 'idle' })).toEqual({
      ok: true,
      value: { metadata: { a: 1 } },
    });
  });

  it('accepts search filters and rejects an unknown status', () => {
    const body = { metadata: { a: 1 }, ids: [threadId], status: 'interrupted', values: { x: 1 }, limit: 10, offset: 0, sort_by: 'state_updated_at', sort_order: 'desc', select: ['thread_id'], extract: { last: 'values.messages' } };

    expect(validateContract(SearchThreadsDto, body)).toEqual({ ok: true, value: body });
    expect(validateContract(CountThreadsDto, { status: 'done' })).toEqual({
      ok: false,
      errors: ['status must be one of the following values: idle, busy, interrupted, error'],
    });
    expect(validateContract(SearchThreadsDto, { ids: ['x'] }).ok).toBe(false);
  });

  it('accepts state updates with values of any JSON shape', () => {
    for (const values of [{ a: 1 }, [{ a: 1 }], null]) {
      expect(validateContract(UpdateThreadStateDto, { values, as_node: 'n', checkpoint_id: 'c1' }).ok).toBe(true);
    }
    expect(validateContract(UpdateThreadStateDto, { checkpoint: { checkpoint_id: 5 } })).toEqual({
      ok: false,
      errors: ['checkpoint.checkpoint_id must be a string'],
    });
  });

  it('accepts history before as a checkpoint id or a config object', () => {
    for (const before of ['1ef-cp', { configurable: { checkpoint_id: '1ef-cp' } }]) {
      expect(validateContract(ThreadHistoryDto, { before, limit: 10 }).ok).toBe(true);
    }
    expect(validateContract(ThreadHistoryDto, { limit: 0 }).ok).toBe(false);
  });

  it('requires the checkpoint of a state-at-checkpoint body', () => {
    const body = { checkpoint: { checkpoint_id: 'c', checkpoint_ns: '', checkpoint_map: null }, subgraphs: true };

    expect(validateContract(ThreadStateAtCheckpointDto, body)).toEqual({ ok: true, value: body });
    expect(validateContract(ThreadStateAtCheckpointDto, { subgraphs: true }).ok).toBe(false);
  });

  it('requires uuid thread ids to prune and a known strategy', () => {
    expect(validateContract(PruneThreadsDto, { thread_ids: [threadId], strategy: 'keep_latest' }).ok).toBe(true);
    expect(validateContract(PruneThreadsDto, { thread_ids: [threadId], strategy: 'all' }).ok).toBe(false);
    expect(validateContract(PruneThreadsDto, {})).toEqual({
      ok: false,
      errors: ['each value in thread_ids must be a UUID', 'thread_ids must be an array'],
    });
  });
});
