import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * Deepest nesting of arrays and objects a request body may have. Validation (class-transformer) and the stores
 * recurse over bodies, so a few thousand levels would overflow the stack; LangGraph states stay far below this.
 */
export const MAX_JSON_DEPTH = 256;

export interface BodyLimits {
  /** Largest accepted body; past it the answer is 413. */
  maxBytes: number;
  maxDepth?: number;
}

type Next = (error?: unknown) => void;
interface ParsedRequest {
  body: unknown;
  is: (type: string) => string | false;
}

function bodyError(message: string, status: number, type: string): Error {
  return Object.assign(new Error(message), { status, type });
}

/**
 * True when `value` nests arrays/objects deeper than `maxDepth`. Iterative, so the check itself cannot overflow,
 * and it stops at the first branch that is too deep.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * JSON bodies (also sent as text/plain, as the JS reference server accepts) up to `maxBytes`, answered 413 past
 * that, and refused with 422 when nested deeper than `maxDepth`, before validation recurses over them.
 */
export function applyBodyParsing(app: NestExpressApplication, limits: BodyLimits): void {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  app.useBodyParser('json', { limit: limits.maxBytes });
  app.useBodyParser('text', { limit: limits.maxBytes, type: 'text/plain' });
  app.use((request: ParsedRequest, _response: unknown, next: Next) => {
    if (typeof request.body === 'string' && request.is('text/plain')) {
      try {
        request.body = request.body.length > 0 ? JSON.parse(request.body) : {};
      } catch (error) {
        return next(bodyError((error as Error).message, 400, 'entity.parse.failed'));
      }
    }
    if (nestsDeeperThan(request.body, maxDepth)) {
      return next(bodyError(`body is nested deeper than ${maxDepth} levels`, 422, 'entity.too.deep'));
    }
    next();
  });
}
