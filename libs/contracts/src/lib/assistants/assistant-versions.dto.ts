import { IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import type { Metadata } from '../common/common.types';
import { IsLimit, IsOffset } from '../common/field.decorator';

/** Body of `POST /assistants/{assistant_id}/versions`. */
export class ListAssistantVersionsDto {
  @IsLimit()
  limit?: number;

  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  @IsOffset()
  offset?: number;
}

/** Body of `POST /assistants/{assistant_id}/latest` (a body, not a query, as the SDK sends it). */
export class SetLatestAssistantVersionDto {
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version!: number;
}
