import { IsArray, IsIn, IsOptional, IsUUID } from 'class-validator';

export const CANCEL_RUNS_STATUSES = ['pending', 'running', 'all'] as const;
export type CancelRunsStatus = (typeof CANCEL_RUNS_STATUSES)[number];

/** Body of `POST /runs/cancel`: ids, or a status filter (the server rejects both together). */
export class CancelRunsDto {
  @IsOptional()
  @IsArray()
  @IsUUID(undefined, { each: true })
  run_ids?: string[];

  @IsOptional()
  @IsIn(CANCEL_RUNS_STATUSES)
  status?: CancelRunsStatus;

  @IsOptional()
  @IsUUID()
  thread_id?: string;
}
