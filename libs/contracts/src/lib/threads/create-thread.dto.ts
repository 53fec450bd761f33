import { Type } from 'class-transformer';
import { Allow, IsArray, IsIn, IsObject, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { IF_EXISTS_ACTIONS, type IfExists, type Metadata } from '../common/common.types';

/** One state write of a superstep, applied as if node `as_node` had produced it. */
export class SuperstepUpdateDto {
  @IsString()
  as_node!: string;

  @IsOptional()
  @IsObject()
  command?: Record<string, unknown>;

  @IsOptional()
  @Allow()
  values?: unknown;
}

export class SuperstepDto {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SuperstepUpdateDto)
  updates!: SuperstepUpdateDto[];
}

/** Body of `POST /threads`. */
export class CreateThreadDto {
  @IsOptional()
  @IsIn(IF_EXISTS_ACTIONS)
  if_exists?: IfExists;

  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  /** Seed the new thread's history, one checkpoint per superstep. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SuperstepDto)
  supersteps?: SuperstepDto[];

  @IsOptional()
  @IsUUID()
  thread_id?: string;

  /** `{ttl: minutes, strategy: "delete"}` as the SDK sends it. */
  @IsOptional()
  @Allow()
  ttl?: unknown;
}

/** Body of `PATCH /threads/{thread_id}`. */
export class UpdateThreadDto {
  /** Merged into the stored metadata. */
  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  @IsOptional()
  @Allow()
  ttl?: unknown;
}
