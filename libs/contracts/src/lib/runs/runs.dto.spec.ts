import { validateContract } from '../common/contract-validation.util';
import { CancelRunsDto } from './cancel-runs.dto';
import { ListRunsQueryDto } from './list-runs-query.dto';
import { MAX_AFTER_SECONDS, RunCreateStatefulDto, RunCreateStatelessDto } from './run-create.dto';
import { STREAM_MODES } from './run.types';

/** Every field `client.runs.stream/create` can send (strict_resume is not ours to keep). */
const sdkRunBody = {
  assistant_id: 'agent',
  input: { messages: [{ role: 'user', content: 'hi' }] },
  command: { resume: 'yes', goto: ['a'], update: [['k', 1]] },
  config: { configurable: { thread_ts: 'x' }, tags: ['t'] },
  context: { user_id: 'u' },
  metadata: { source: 'test' },
  stream_mode: ['values', 'updates', 'messages-tuple'],
  stream_subgraphs: true,
  stream_resumable: true,
  feedback_keys: ['score'],
  interrupt_before: '*',
  interrupt_after: ['tools'],
  checkpoint: { checkpoint_id: 'cp', checkpoint_ns: '', checkpoint_map: {} },
  checkpoint_id: 'cp',
  webhook: 'https://example.com/hook?token=s',
  multitask_strategy: 'enqueue',
  on_completion: 'keep',
  on_disconnect: 'cancel',
  after_seconds: 1.5,
  if_not_exists: 'create',
  checkpoint_during: false,
  durability: 'sync',
  langsmith_tracer: { project_name: 'p' },
};

const errorsOf = (body: object): string[] => {
  const result = validateContract(RunCreateStatelessDto, { assistant_id: 'agent', ...body });
  return result.ok ? [] : result.errors;
};

describe('run DTOs', () => {
  it('accepts the body the SDK sends and drops the fields we do not know', () => {
    const sut = validateContract(RunCreateStatefulDto, { ...sdkRunBody, strict_resume: true });

    expect(sut).toEqual({ ok: true, value: sdkRunBody });
    expect(sut.ok && sut.value).toBeInstanceOf(RunCreateStatelessDto);
  });

  it('needs only assistant_id, and names it when missing', () => {
    expect(validateContract(RunCreateStatelessDto, { assistant_id: 'agent' }).ok).toBe(true);
    expect(validateContract(RunCreateStatelessDto, { input: null })).toEqual({
      ok: false,
      errors: ['assistant_id should not be empty', 'assistant_id must be a string'],
    });
  });

  it('accepts input and command values of any JSON shape', () => {
    for (const input of [null, 'text', 3, [1], { a: 1 }]) {
      expect(errorsOf({ input, command: { resume: input } })).toEqual([]);
    }
  });

  it('accepts stream_mode as one known mode or a list of them', () => {
    for (const mode of STREAM_MODES) expect(errorsOf({ stream_mode: mode })).toEqual([]);
    expect(errorsOf({ stream_mode: [...STREAM_MODES] })).toEqual([]);
  });

  it('rejects unknown stream modes', () => {
    for (const stream_mode of ['everything', ['values', 'nope'], [1], 7]) {
      expect(errorsOf({ stream_mode })).toEqual([expect.stringMatching(/^stream_mode must be a stream mode or a list of them \(values, /)]);
    }
  });

  it('accepts interrupt_before and interrupt_after as "*" or a list of node names', () => {
    expect(errorsOf({ interrupt_before: '*', interrupt_after: ['a', 'b'] })).toEqual([]);
    expect(errorsOf({ interrupt_before: ['a'], interrupt_after: '*' })).toEqual([]);
    expect(errorsOf({ interrupt_before: 'all', interrupt_after: [1] })).toEqual([
      'interrupt_after must be "*" or a list of node names',
      'interrupt_before must be "*" or a list of node names',
    ]);
  });

  it('rejects wrong types, naming each property', () => {
    expect(
      errorsOf({
        after_seconds: -1,
        checkpoint: { checkpoint_ns: 1 },
        config: 'c',
        durability: 'never',
        multitask_strategy: 'queue',
        on_completion: 'drop',
        stream_resumable: 'yes',
        webhook: 42,
      }).map((error) => error.split(' ')[0]),
    ).toEqual(
      expect.arrayContaining([
        'after_seconds',
        'checkpoint.checkpoint_ns',
        'config',
        'durability',
        'multitask_strategy',
        'on_completion',
        'stream_resumable',
        'webhook',
      ]),
    );
  });

  it('bounds after_seconds, so a far-future delay is a 422 and not an invalid date', () => {
    expect(errorsOf({ after_seconds: MAX_AFTER_SECONDS })).toEqual([]);
    expect(errorsOf({ after_seconds: 1e13 })).toEqual([`after_seconds must not be greater than ${MAX_AFTER_SECONDS}`]);
  });

  it('checks the keys of config LangGraph reads, and keeps the others', () => {
    expect(errorsOf({ config: { tags: ['a'], recursion_limit: 50, configurable: { x: 1 }, run_name: 'n', custom: [1] } })).toEqual([]);
    expect(errorsOf({ config: { tags: 5 } })).toEqual(['config.tags must be a list of strings']);
    expect(errorsOf({ config: { tags: ['a', 1] } })).toEqual(['config.tags must be a list of strings']);
    expect(errorsOf({ config: { recursion_limit: 1.5 } })).toEqual([expect.stringMatching(/^config.recursion_limit must be an integer between 1 and/)]);
    expect(errorsOf({ config: { recursion_limit: 1e12 } })).toEqual([expect.stringMatching(/^config.recursion_limit must be an integer/)]);
    expect(errorsOf({ config: { configurable: [] } })).toEqual(['config.configurable must be an object']);
    expect(errorsOf({ config: { configurable: 'x' } })).toEqual(['config.configurable must be an object']);
    expect(errorsOf({ config: { metadata: 3 } })).toEqual(['config.metadata must be an object']);
    expect(errorsOf({ config: { callbacks: [{}] } })).toEqual(['config.callbacks cannot be sent over HTTP']);
    expect(errorsOf({ config: [] })).toEqual(['config must be an object']);
  });

  it('accepts the on_completion values of both the server and the SDK types', () => {
    for (const on_completion of ['delete', 'keep', 'complete', 'continue']) expect(errorsOf({ on_completion })).toEqual([]);
  });

  it('caps the webhook URL length', () => {
    expect(errorsOf({ webhook: `https://h/${'x'.repeat(65536)}` })).toEqual([
      'webhook must be shorter than or equal to 65536 characters',
    ]);
  });

  it('reads the runs.list query from text', () => {
    const sut = validateContract(ListRunsQueryDto, { limit: '10', offset: '20', status: 'success', select: 'run_id' });

    expect(sut).toEqual({ ok: true, value: { limit: 10, offset: 20, status: 'success', select: ['run_id'] } });
    expect(validateContract(ListRunsQueryDto, { select: ['run_id', 'status'] }).ok).toBe(true);
    expect(validateContract(ListRunsQueryDto, { status: 'done' }).ok).toBe(false);
  });

  it('validates a cancel-many body', () => {
    const body = { thread_id: '018f2c1e-8a5b-7c3d-9e4f-123456789abc', status: 'all' };

    expect(validateContract(CancelRunsDto, body)).toEqual({ ok: true, value: body });
    expect(validateContract(CancelRunsDto, { run_ids: ['x'], status: 'error' }).ok).toBe(false);
  });
});
