import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { tokensMatch } from '@runhook/webhooks';
import type { Request } from 'express';
import { ReceiverConfig } from '../config/receiver-config';

/** The token a reader presented: header first, then a bearer token, then `?token=` (what a page and EventSource can send). */
export function presentedReadToken(request: Pick<Request, 'headers' | 'query'>): string | undefined {
  const header = request.headers['x-receiver-token'];
  if (typeof header === 'string') return header;
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) return authorization.slice(7).trim();
  const query = request.query['token'];
  return typeof query === 'string' ? query : undefined;
}

/** The read side shows payloads, so with RECEIVER_READ_TOKEN set it needs that token, compared in constant time. */
@Injectable()
export class ReadTokenGuard implements CanActivate {
  constructor(private readonly config: ReceiverConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.readToken;
    if (expected === undefined) return true;
    if (tokensMatch(expected, presentedReadToken(context.switchToHttp().getRequest<Request>()))) return true;
    throw new UnauthorizedException({ detail: 'Reading deliveries needs RECEIVER_READ_TOKEN: send it as x-receiver-token, a bearer token or ?token=' });
  }
}
