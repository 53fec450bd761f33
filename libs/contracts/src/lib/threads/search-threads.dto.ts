import { IsArray, IsIn, IsObject, IsOptional, IsUUID } from 'class-validator';
import { SORT_ORDERS, type Metadata, type SortOrder } from '../common/common.types';
import { IsFieldSelection, IsLimit, IsOffset } from '../common/field.decorator';
import { THREAD_SORT_FIELDS, THREAD_STATUSES, type ThreadSortField, type ThreadStatus } from './thread.types';

/** Body of `POST /threads/count`; also the filters of a search. */
export class CountThreadsDto {
  /** JSON containment. */
  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  @IsOptional()
  @IsIn(THREAD_STATUSES)
  status?: ThreadStatus;

  /** JSON containment on the thread's current values. */
  @IsOptional()
  @IsObject()
  values?: Record<string, unknown>;
}

/** Body of `POST /threads/search`. */
export class SearchThreadsDto extends CountThreadsDto {
  /** `{alias: "values.path"}`: adds `extracted` to each result. */
  @IsOptional()
  @IsObject()
  extract?: Record<string, string>;

  @IsOptional()
  @IsArray()
  @IsUUID(undefined, { each: true })
  ids?: string[];

  @IsLimit()
  limit?: number;

  @IsOffset()
  offset?: number;

  @IsFieldSelection()
  select?: string[];

  /** Extra fields to add, as `GET /threads/{id}?include=ttl` does. */
  @IsFieldSelection()
  include?: string[];

  @IsOptional()
  @IsIn(THREAD_SORT_FIELDS)
  sort_by?: ThreadSortField;

  @IsOptional()
  @IsIn(SORT_ORDERS)
  sort_order?: SortOrder;
}
