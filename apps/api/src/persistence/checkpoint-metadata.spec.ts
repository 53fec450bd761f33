import { checkpointMetadataFor } from './checkpoint-metadata';

describe('checkpointMetadataFor', () => {
  const written = { source: 'loop' as const, step: 2, parents: {} };

  it("copies the run's configurable keys and metadata under what the library wrote", () => {
    const config = {
      configurable: { thread_id: 't', graph_id: 'agent', run_id: 'r', step: 'from configurable', model: 'm' },
      metadata: { run_attempt: 1, model: 'from metadata' },
    };
    expect(checkpointMetadataFor(config, written)).toEqual({
      thread_id: 't',
      graph_id: 'agent',
      run_id: 'r',
      run_attempt: 1,
      model: 'from metadata',
      source: 'loop',
      step: 2,
      parents: {},
    });
  });

  it('leaves out addressing keys, internals, credentials, functions and undefined values, every time it is asked', () => {
    const config = {
      configurable: {
        checkpoint_id: 'c',
        checkpoint_ns: '',
        checkpoint_map: {},
        __pregel_send: () => undefined,
        api_key: 'k',
        AuthHeader: 'h',
        user_token: 'x',
        callback: () => undefined,
        missing: undefined,
        user_id: 'u',
      },
    };
    for (let i = 0; i < 3; i += 1) expect(checkpointMetadataFor(config, written)).toEqual({ user_id: 'u', ...written });
  });

  it('never lets a configurable key reach the prototype', () => {
    const configurable = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c"}') as Record<string, unknown>;
    const merged = checkpointMetadataFor({ configurable }, written) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged['constructor']).toBe('c');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
