import { Type } from 'class-transformer';
import { Allow, IsDateString, IsIn, IsObject, IsOptional, IsString, IsUUID, ValidateIf, ValidateNested } from 'class-validator';
import type { Metadata } from '../common/common.types';
import { RunErrorDto } from '../runs/run-error.dto';
import {
  MULTITASK_STRATEGIES,
  RUN_STATUSES,
  type MultitaskStrategy,
  type RunKwargs,
  type RunStatus,
} from '../runs/run.types';
import type { WebhookPayload } from './webhook.types';

const isNotNull = (_: object, value: unknown): boolean => value !== null;

/** A run-completion webhook body as a receiving service validates it. */
export class WebhookPayloadDto implements WebhookPayload {
  /** The resolved assistant uuid. */
  @IsString()
  assistant_id!: string;

  @IsDateString()
  created_at!: string;

  /** Only when the run failed. */
  @IsOptional()
  @ValidateNested()
  @Type(() => RunErrorDto)
  error?: RunErrorDto;

  @IsObject()
  kwargs!: RunKwargs;

  @IsObject()
  metadata!: Metadata;

  @IsIn(MULTITASK_STRATEGIES)
  multitask_strategy!: MultitaskStrategy;

  /** null when the run never started (cancelled while pending). */
  @ValidateIf(isNotNull)
  @IsDateString()
  run_ended_at!: string | null;

  @IsUUID()
  run_id!: string;

  @ValidateIf(isNotNull)
  @IsDateString()
  run_started_at!: string | null;

  /** The run's final status. */
  @IsIn(RUN_STATUSES)
  status!: RunStatus;

  @IsUUID()
  thread_id!: string;

  @IsDateString()
  updated_at!: string;

  /** Final state values; null for stateless runs. */
  @Allow()
  values!: unknown;

  @IsDateString()
  webhook_sent_at!: string;
}
