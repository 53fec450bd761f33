import { validateContract } from '../common/contract-validation.util';
import { ListAssistantVersionsDto, SetLatestAssistantVersionDto } from './assistant-versions.dto';
import { CreateAssistantDto, UpdateAssistantDto } from './create-assistant.dto';
import { CountAssistantsDto, SearchAssistantsDto } from './search-assistants.dto';

describe('assistant DTOs', () => {
  it('accepts the body the SDK sends for assistants.create', () => {
    const body = {
      graph_id: 'agent',
      assistant_id: '0b1c7b4e-7a53-4c1e-9d43-0f0d6c3c8e11',
      config: { configurable: { model: 'x' }, recursion_limit: 10, tags: ['a'] },
      context: { user: 'u1' },
      metadata: { team: 'ops' },
      if_exists: 'do_nothing',
      name: 'Ops agent',
      description: 'answers',
    };

    expect(validateContract(CreateAssistantDto, body)).toEqual({ ok: true, value: body });
  });

  it('requires graph_id and names it', () => {
    const sut = validateContract(CreateAssistantDto, { name: 'x' });

    expect(sut.ok).toBe(false);
    expect(!sut.ok && sut.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^graph_id /)]));
  });

  it('rejects wrong types, naming each property', () => {
    const sut = validateContract(CreateAssistantDto, {
      graph_id: 'agent',
      assistant_id: 'not-a-uuid',
      metadata: 'x',
      if_exists: 'replace',
    });

    expect(!sut.ok && sut.errors).toEqual([
      'assistant_id must be a UUID',
      'if_exists must be one of the following values: raise, do_nothing',
      'metadata must be an object',
    ]);
  });

  it('strips unknown fields instead of rejecting them', () => {
    expect(validateContract(UpdateAssistantDto, { name: 'n', version: 3 })).toEqual({ ok: true, value: { name: 'n' } });
  });

  it('accepts a search body with paging and sorting', () => {
    const body = { graph_id: 'agent', metadata: {}, name: 'op', limit: 10, offset: 0, sort_by: 'name', sort_order: 'asc', select: ['assistant_id'] };

    expect(validateContract(SearchAssistantsDto, body)).toEqual({ ok: true, value: body });
  });

  it('rejects an unknown sort field and an out-of-range limit', () => {
    const sut = validateContract(SearchAssistantsDto, { sort_by: 'version', limit: 5000 });

    expect(!sut.ok && sut.errors.map((error) => error.split(' ')[0])).toEqual(['limit', 'sort_by']);
  });

  it('validates count, versions and set-latest bodies', () => {
    expect(validateContract(CountAssistantsDto, { graph_id: 1 }).ok).toBe(false);
    expect(validateContract(ListAssistantVersionsDto, { limit: 10, offset: 0, metadata: { a: 1 } }).ok).toBe(true);
    expect(validateContract(SetLatestAssistantVersionDto, { version: 2 }).ok).toBe(true);
    expect(validateContract(SetLatestAssistantVersionDto, { version: 0 }).ok).toBe(false);
    expect(validateContract(SetLatestAssistantVersionDto, {}).ok).toBe(false);
  });
});
