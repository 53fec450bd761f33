import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CENSOR, redactFields } from './redact-fields';

describe('redactFields', () => {
  it('hides secret fields and secret headers at the top and one level down, and nothing else', () => {
    const fields = {
      token: 't0k',
      password: 'pw',
      api_key: 'k',
      secret: 's',
      headers: { authorization: 'Bearer a', accept: '*/*' },
      req: { method: 'GET', headers: { cookie: 'sid=1', 'x-api-key': 'key', 'set-cookie': 'c', host: 'h' } },
      run_id: 'r1',
    };

    expect(redactFields(fields)).toEqual({
      token: CENSOR,
      password: CENSOR,
      api_key: CENSOR,
      secret: CENSOR,
      headers: { authorization: CENSOR, accept: '*/*' },
      req: { method: 'GET', headers: { cookie: CENSOR, 'x-api-key': CENSOR, 'set-cookie': CENSOR, host: 'h' } },
      run_id: 'r1',
    });
    // The caller's object is left as it was.
    expect(fields.headers.authorization).toBe('Bearer a');
    expect(fields.req.headers.cookie).toBe('sid=1');
  });

  it('passes a line with nothing to hide through untouched (no copy)', () => {
    const fields = { msg: 'webhook attempt', delivery_id: 'd1', attempt: 1, endpoint: 'http://127.0.0.1:9', nested: { headers: { accept: '*/*' } } };
    expect(redactFields(fields)).toBe(fields);
  });

  it('never lets a secret header value through, whatever else the object holds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom('authorization', 'cookie', 'x-api-key', 'set-cookie'), (extra, header) => {
        const line = redactFields({ ...extra, req: { headers: { [header]: 'the-secret' } }, headers: { [header]: 'the-secret' } });
        expect(JSON.stringify(line)).not.toContain('the-secret');
      }),
    );
  });
});
