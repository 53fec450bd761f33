import { Type } from 'class-transformer';
import { Allow, IsBoolean, IsDefined, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import type { Metadata } from '../common/common.types';
import { IsFieldSelection, IsLimit } from '../common/field.decorator';
import { CheckpointRefDto } from '../runs/checkpoint-ref.dto';

/** Body of `POST /threads/{thread_id}/state`. */
export class UpdateThreadStateDto {
  /** The node the update is attributed to; decides what runs next. */
  @IsOptional()
  @IsString()
  as_node?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => CheckpointRefDto)
  checkpoint?: CheckpointRefDto;

  @IsOptional()
  @IsString()
  checkpoint_id?: string;

  /** An object, a list of updates, or null. */
  @IsOptional()
  @Allow()
  values?: unknown;
}

/** Body of `POST /threads/{thread_id}/history`. */
export class ThreadHistoryDto {
  /** A checkpoint id string or a config object; only older checkpoints are listed. */
  @IsOptional()
  @Allow()
  before?: unknown;

  @IsOptional()
  @ValidateNested()
  @Type(() => CheckpointRefDto)
  checkpoint?: CheckpointRefDto;

  @IsLimit()
  limit?: number;

  /** Filter on checkpoint metadata. */
  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  @IsFieldSelection()
  select?: string[];
}

/** Body of `POST /threads/{thread_id}/state/checkpoint`. */
export class ThreadStateAtCheckpointDto {
  @IsDefined()
  @ValidateNested()
  @Type(() => CheckpointRefDto)
  checkpoint!: CheckpointRefDto;

  @IsFieldSelection()
  select?: string[];

  @IsOptional()
  @IsBoolean()
  subgraphs?: boolean;
}
