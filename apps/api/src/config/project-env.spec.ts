import { applyProjectEnv } from './project-env';

describe('applyProjectEnv', () => {
  it('fills only the variables the environment does not set, as the LangGraph CLI does', () => {
    const target: NodeJS.ProcessEnv = { KEPT: 'real', EMPTY: '' };
    applyProjectEnv({ KEPT: 'project', EMPTY: 'project', ADDED: 'project' }, target);
    expect(target).toEqual({ KEPT: 'real', EMPTY: '', ADDED: 'project' });
  });
});
