import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CheckpointRefDto } from './checkpoint-ref.dto';
import { RunCommandDto } from './run-command.dto';
import { RunPayloadDto } from './run-payload.dto';
import {
  IF_NOT_EXISTS_ACTIONS,
  ON_COMPLETION_ACTIONS,
  ON_DISCONNECT_ACTIONS,
  type IfNotExists,
  type OnCompletion,
  type OnDisconnect,
} from './run.types';

/** Longest accepted `after_seconds`: ten years. */
export const MAX_AFTER_SECONDS = 10 * 365 * 86_400;

/** Body of `POST /runs`, `/runs/stream`, `/runs/wait` and each item of `/runs/batch`. */
export class RunCreateStatelessDto extends RunPayloadDto {
  /** Delay before the run may start. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_AFTER_SECONDS)
  after_seconds?: number;

  /** An assistant uuid or a graph id (mapped to that graph's default assistant). */
  @IsString()
  @IsNotEmpty()
  assistant_id!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => CheckpointRefDto)
  checkpoint?: CheckpointRefDto;

  @IsOptional()
  @IsString()
  checkpoint_id?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => RunCommandDto)
  command?: RunCommandDto;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  feedback_keys?: string[];

  /** Stateful endpoints only. */
  @IsOptional()
  @IsIn(IF_NOT_EXISTS_ACTIONS)
  if_not_exists?: IfNotExists;

  /** LangSmith tracing options `{project_name?, example_id?}`; accepted and may be ignored. */
  @IsOptional()
  @IsObject()
  langsmith_tracer?: Record<string, unknown>;

  /** Stateless endpoints only. */
  @IsOptional()
  @IsIn(ON_COMPLETION_ACTIONS)
  on_completion?: OnCompletion;

  /** Stream and wait endpoints only. */
  @IsOptional()
  @IsIn(ON_DISCONNECT_ACTIONS)
  on_disconnect?: OnDisconnect;
}

/**
 * Body of `POST /threads/{thread_id}/runs`, `/runs/stream` and `/runs/wait`. Same fields; the
 * server decides per endpoint which ones apply (if_not_exists here, on_completion stateless).
 */
export class RunCreateStatefulDto extends RunCreateStatelessDto {}
