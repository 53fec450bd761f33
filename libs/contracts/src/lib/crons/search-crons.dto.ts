import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import { SORT_ORDERS, type Metadata, type SortOrder } from '../common/common.types';
import { IsFieldSelection, IsLimit, IsOffset } from '../common/field.decorator';
import { CRON_SORT_FIELDS, type CronSortField } from './cron.types';

/** Body of `POST /runs/crons/count`; also the filters of a search. */
export class CountCronsDto {
  /** An assistant uuid or a graph id. */
  @IsOptional()
  @IsString()
  assistant_id?: string;

  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  @IsOptional()
  @IsUUID()
  thread_id?: string;
}

/** Body of `POST /runs/crons/search`. */
export class SearchCronsDto extends CountCronsDto {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsLimit()
  limit?: number;

  @IsOffset()
  offset?: number;

  @IsFieldSelection()
  select?: string[];

  @IsOptional()
  @IsIn(CRON_SORT_FIELDS)
  sort_by?: CronSortField;

  @IsOptional()
  @IsIn(SORT_ORDERS)
  sort_order?: SortOrder;
}
