import 'reflect-metadata';
import { HttpException } from '@nestjs/common';
import { parseCommand, parseEventFilter, parseInputRespond, parseRunStart, parseStateKeys, parseSubscriptionId, validatedRunBody } from './command-params';

/** The 422 detail a parser throws. */
function detailOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect((error as HttpException).getStatus()).toBe(422);
    return ((error as HttpException).getResponse() as { detail: string }).detail;
  }
  throw new Error('the input was accepted');
}

describe('thread-protocol command parsing', () => {
  it('checks the envelope and names the field', () => {
    expect(parseCommand({ id: 1, method: 'run.start' })).toEqual({ id: 1, method: 'run.start', params: {} });
    expect(detailOf(() => parseCommand([]))).toMatch(/^body:/);
    expect(detailOf(() => parseCommand({ id: -1, method: 'x' }))).toMatch(/^id:/);
    expect(detailOf(() => parseCommand({ id: 1.5, method: 'x' }))).toMatch(/^id:/);
    expect(detailOf(() => parseCommand({ id: 1, method: 3 }))).toMatch(/^method:/);
    expect(detailOf(() => parseCommand({ id: 1, method: 'x', params: 'y' }))).toMatch(/^params:/);
  });

  it('reads run.start, with the multitask strategy under either spelling', () => {
    expect(parseRunStart({ assistant_id: 'agent', input: { a: 1 }, config: { configurable: {} }, multitaskStrategy: 'reject' })).toEqual({
      assistantId: 'agent',
      input: { a: 1 },
      config: { configurable: {} },
      metadata: undefined,
      context: undefined,
      multitaskStrategy: 'reject',
    });
    expect(parseRunStart({ assistant_id: 'agent', multitask_strategy: 'enqueue' }).multitaskStrategy).toBe('enqueue');
    expect(detailOf(() => parseRunStart({}))).toMatch(/^params\.assistant_id:/);
    expect(detailOf(() => parseRunStart({ assistant_id: 'a', config: [] }))).toMatch(/^params\.config:/);
    expect(detailOf(() => parseRunStart({ assistant_id: 'a', metadata: 'x' }))).toMatch(/^params\.metadata:/);
    expect(detailOf(() => parseRunStart({ assistant_id: 'a', multitask_strategy: 'later' }))).toMatch(/^params\.multitask_strategy:/);
  });

  it('reads input.respond for one interrupt or several', () => {
    expect([...parseInputRespond({ interrupt_id: 'i1', response: 'yes', namespace: [] }).responses]).toEqual([['i1', 'yes']]);
    const many = parseInputRespond({ responses: [{ interrupt_id: 'i1', response: 1 }, { interrupt_id: 'i2', response: 2 }], goto: 'agent' });
    expect([...many.responses]).toEqual([['i1', 1], ['i2', 2]]);
    expect(many.goto).toBe('agent');
    expect(detailOf(() => parseInputRespond({ response: 'yes' }))).toMatch(/^params\.interrupt_id:/);
    expect(detailOf(() => parseInputRespond({ responses: [] }))).toMatch(/^params\.responses:/);
    expect(detailOf(() => parseInputRespond({ responses: [{ response: 1 }] }))).toMatch(/^params\.responses\[0\]\.interrupt_id:/);
    expect(detailOf(() => parseInputRespond({ interrupt_id: 'i', update: 3 }))).toMatch(/^params\.update:/);
    expect(detailOf(() => parseInputRespond({ interrupt_id: 'i', goto: 3 }))).toMatch(/^params\.goto:/);
  });

  it('reads event filters of streams and subscriptions', () => {
    expect(parseEventFilter({ channels: ['values', 'custom:progress'], namespaces: [['child']], depth: 2, since: 3 }, 'body')).toEqual({
      channels: new Set(['values', 'custom:progress']),
      namespaces: [['child']],
      depth: 2,
      since: 3,
    });
    expect(detailOf(() => parseEventFilter(null, 'body'))).toMatch(/^body:/);
    expect(detailOf(() => parseEventFilter({ channels: [] }, 'body'))).toMatch(/^body\.channels:/);
    expect(detailOf(() => parseEventFilter({ channels: ['nope'] }, 'params'))).toMatch(/^params\.channels: unknown channel "nope"/);
    expect(detailOf(() => parseEventFilter({ channels: ['values'], namespaces: ['child'] }, 'body'))).toMatch(/^body\.namespaces:/);
    expect(detailOf(() => parseEventFilter({ channels: ['values'], depth: -1 }, 'body'))).toMatch(/^body\.depth:/);
    expect(detailOf(() => parseEventFilter({ channels: ['values'], since: 'x' }, 'body'))).toMatch(/^body\.since:/);
  });

  it('reads state keys and subscription ids', () => {
    expect(parseStateKeys({ keys: ['messages'] })).toEqual(['messages']);
    expect(parseStateKeys({})).toBeUndefined();
    expect(detailOf(() => parseStateKeys({ keys: [1] }))).toMatch(/^params\.keys:/);
    expect(parseSubscriptionId({ subscription_id: 's' })).toBe('s');
    expect(detailOf(() => parseSubscriptionId({}))).toMatch(/^params\.subscription_id:/);
  });
});

describe('validatedRunBody', () => {
  it('accepts a run body as the run routes do and names bad fields under params', async () => {
    const body = await validatedRunBody({ assistant_id: 'agent', input: { a: 1 }, stream_mode: ['values'], config: { configurable: { user: 'u' } } });
    expect(body).toMatchObject({ assistant_id: 'agent', input: { a: 1 }, config: { configurable: { user: 'u' } } });
    const rejected = await validatedRunBody({ assistant_id: 'agent', config: { configurable: 5, recursion_limit: 'many' } }).catch((error: HttpException) => error);
    expect((rejected as HttpException).getStatus()).toBe(422);
    const detail = ((rejected as HttpException).getResponse() as { detail: string }).detail;
    expect(detail.split('; ').every((part) => part.startsWith('params.config.'))).toBe(true);
    expect(detail).toContain('params.config.recursion_limit');
  });
});
