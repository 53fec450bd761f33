import { UnprocessableEntityException } from '@nestjs/common';
import type { CancelAction } from './run-record';

export function parseCancelAction(value: string | undefined): CancelAction {
  if (value === undefined || value === '' || value === 'interrupt') return 'interrupt';
  if (value === 'rollback') return 'rollback';
  throw new UnprocessableEntityException({ detail: 'action must be "interrupt" or "rollback"' });
}

/** `Last-Event-ID` as a sequence number: absent or `-1` replays from the start. */
export function parseLastEventId(value: string | undefined): number {
  if (value === undefined || value === '' || value === '-') return -1;
  const parsed = Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? parsed : -1;
}
