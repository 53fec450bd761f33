import { IsIn, IsObject, IsOptional, IsString } from 'class-validator';
import { SORT_ORDERS, type Metadata, type SortOrder } from '../common/common.types';
import { IsFieldSelection, IsLimit, IsOffset } from '../common/field.decorator';
import { ASSISTANT_SORT_FIELDS, type AssistantSortField } from './assistant.types';

/** Body of `POST /assistants/count`; also the filters of a search. */
export class CountAssistantsDto {
  @IsOptional()
  @IsString()
  graph_id?: string;

  /** JSON containment: every given key must match. */
  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  /** Case-insensitive substring. */
  @IsOptional()
  @IsString()
  name?: string;
}

/** Body of `POST /assistants/search`. */
export class SearchAssistantsDto extends CountAssistantsDto {
  @IsLimit()
  limit?: number;

  @IsOffset()
  offset?: number;

  @IsFieldSelection()
  select?: string[];

  @IsOptional()
  @IsIn(ASSISTANT_SORT_FIELDS)
  sort_by?: AssistantSortField;

  @IsOptional()
  @IsIn(SORT_ORDERS)
  sort_order?: SortOrder;
}
