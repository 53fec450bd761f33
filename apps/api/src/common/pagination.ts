import type { Response } from 'express';

/** `X-Pagination-Next` is the offset of the next page, absent on the last one, as the SDK reads it. */
export function setPaginationHeaders(response: Response, offset: number, pageSize: number, total: number): void {
  response.setHeader('X-Pagination-Total', String(total));
  const next = offset + pageSize;
  if (pageSize > 0 && next < total) response.setHeader('X-Pagination-Next', String(next));
}
