import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import { IsRunnableConfig } from '../common/runnable-config.validator';
import { IF_EXISTS_ACTIONS, type Config, type IfExists, type Metadata } from '../common/common.types';

/** Fields an assistant create and update share. */
export class AssistantFieldsDto {
  @IsOptional()
  @IsRunnableConfig()
  config?: Config;

  @IsOptional()
  @IsObject()
  context?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  description?: string;

  /** On update, merged into the stored metadata. */
  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  @IsOptional()
  @IsString()
  name?: string;
}

/** Body of `POST /assistants`. */
export class CreateAssistantDto extends AssistantFieldsDto {
  @IsOptional()
  @IsUUID()
  assistant_id?: string;

  /** A key of `graphs` in langgraph.json. */
  @IsString()
  @IsNotEmpty()
  graph_id!: string;

  @IsOptional()
  @IsIn(IF_EXISTS_ACTIONS)
  if_exists?: IfExists;
}

/** Body of `PATCH /assistants/{assistant_id}`: each field present replaces the stored one. */
export class UpdateAssistantDto extends AssistantFieldsDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  graph_id?: string;
}
