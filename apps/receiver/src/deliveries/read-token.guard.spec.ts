import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { ReceiverConfig } from '../config/receiver-config';
import { presentedReadToken, ReadTokenGuard } from './read-token.guard';

const READ_TOKEN = 'read-token-0123456789';

function contextFor(request: { headers: Record<string, string>; query: Record<string, string> }): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

function guard(readToken: string | undefined): ReadTokenGuard {
  return new ReadTokenGuard({ readToken } as ReceiverConfig);
}

describe('ReadTokenGuard', () => {
  it('leaves the read side open without RECEIVER_READ_TOKEN', () => {
    expect(guard(undefined).canActivate(contextFor({ headers: {}, query: {} }))).toBe(true);
  });

  it.each([
    ['the x-receiver-token header', { headers: { 'x-receiver-token': READ_TOKEN }, query: {} }],
    ['a bearer token', { headers: { authorization: `Bearer ${READ_TOKEN}` }, query: {} }],
    ['?token= (the page and its EventSource)', { headers: {}, query: { token: READ_TOKEN } }],
  ])('accepts the token in %s', (_where, request) => {
    expect(guard(READ_TOKEN).canActivate(contextFor(request))).toBe(true);
  });

  it.each([
    ['no token', { headers: {}, query: {} }],
    ['a wrong token', { headers: { 'x-receiver-token': `${READ_TOKEN}x` }, query: {} }],
    ['an empty token', { headers: {}, query: { token: '' } }],
  ])('refuses %s with a 401', (_what, request) => {
    expect(() => guard(READ_TOKEN).canActivate(contextFor(request))).toThrow(UnauthorizedException);
  });

  it('prefers the header to the query', () => {
    expect(presentedReadToken({ headers: { 'x-receiver-token': 'a' }, query: { token: 'b' } } as never)).toBe('a');
  });
});
