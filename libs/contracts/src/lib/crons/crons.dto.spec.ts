import { validateContract } from '../common/contract-validation.util';
import { CreateCronDto, CreateThreadCronDto, UpdateCronDto } from './create-cron.dto';
import { CountCronsDto, SearchCronsDto } from './search-crons.dto';

/** Every field `client.crons.create` sends. */
const sdkCronBody = {
  schedule: '*/5 * * * *',
  assistant_id: 'agent',
  input: { messages: [] },
  config: { tags: ['nightly'] },
  context: {},
  metadata: { owner: 'ops' },
  interrupt_before: ['review'],
  interrupt_after: '*',
  webhook: 'https://example.com/hook',
  on_run_completed: 'keep',
  multitask_strategy: 'enqueue',
  checkpoint_during: true,
  durability: 'async',
  enabled: true,
  timezone: 'Europe/Paris',
  stream_mode: 'values',
  stream_subgraphs: false,
  stream_resumable: false,
  end_time: '2030-01-01T00:00:00Z',
};

describe('cron DTOs', () => {
  it('accepts the body the SDK sends for crons.create and crons.createForThread', () => {
    expect(validateContract(CreateCronDto, sdkCronBody)).toEqual({ ok: true, value: sdkCronBody });
    expect(validateContract(CreateThreadCronDto, sdkCronBody)).toEqual({ ok: true, value: sdkCronBody });
  });

  it('requires schedule and assistant_id', () => {
    const sut = validateContract(CreateCronDto, { input: {} });

    expect(!sut.ok && sut.errors.map((error) => error.split(' ')[0])).toEqual(
      expect.arrayContaining(['assistant_id', 'schedule']),
    );
  });

  it('rejects wrong types, naming each property, and strips unknown fields', () => {
    const sut = validateContract(CreateCronDto, {
      schedule: '0 * * * *',
      assistant_id: 'agent',
      end_time: 'tomorrow',
      enabled: 'yes',
      on_run_completed: 'archive',
      stream_mode: ['values', 'bogus'],
      user_id: 'someone',
    });

    expect(!sut.ok && sut.errors.map((error) => error.split(' ')[0]).sort()).toEqual([
      'enabled',
      'end_time',
      'on_run_completed',
      'stream_mode',
    ]);
    expect(validateContract(CreateCronDto, { schedule: '0 * * * *', assistant_id: 'a', user_id: 'u' })).toEqual({
      ok: true,
      value: { schedule: '0 * * * *', assistant_id: 'a' },
    });
  });

  it('lets an update clear end_time with null and keeps that null', () => {
    expect(validateContract(UpdateCronDto, { end_time: null })).toEqual({ ok: true, value: { end_time: null } });
    expect(validateContract(UpdateCronDto, {})).toEqual({ ok: true, value: {} });
    expect(validateContract(UpdateCronDto, { schedule: '' }).ok).toBe(false);
  });

  it('validates search and count filters', () => {
    const body = { assistant_id: 'agent', enabled: true, limit: 10, offset: 0, sort_by: 'next_run_date', sort_order: 'asc', select: ['cron_id'], metadata: {} };

    expect(validateContract(SearchCronsDto, body)).toEqual({ ok: true, value: body });
    expect(validateContract(SearchCronsDto, { sort_by: 'schedule' }).ok).toBe(false);
    expect(validateContract(CountCronsDto, { thread_id: 'nope' })).toEqual({ ok: false, errors: ['thread_id must be a UUID'] });
  });
});
