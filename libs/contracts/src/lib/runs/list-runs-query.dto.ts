import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { IsLimit, IsOffset } from '../common/field.decorator';
import { RUN_STATUSES, type RunStatus } from './run.types';

/** Query of `GET /threads/{thread_id}/runs`; every value arrives as text. */
export class ListRunsQueryDto {
  @IsLimit()
  limit?: number;

  @IsOffset()
  offset?: number;

  /** `select=a&select=b`; a single key arrives as a string and is turned into a list. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsString({ each: true })
  select?: string[] | string;

  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;
}
