import { Allow, IsBoolean, IsIn, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsRunnableConfig } from '../common/runnable-config.validator';
import type { Config, Metadata } from '../common/common.types';
import { IsInterruptNodes, IsStreamMode } from './run-validators.decorator';
import {
  DURABILITIES,
  MULTITASK_STRATEGIES,
  type Durability,
  type MultitaskStrategy,
  type StreamMode,
} from './run.types';

export const MAX_WEBHOOK_LENGTH = 65536;

/** The run fields shared by run creation and crons (a cron replays them at each firing). */
export class RunPayloadDto {
  /** Deprecated by `durability`. */
  @IsOptional()
  @IsBoolean()
  checkpoint_during?: boolean;

  @IsOptional()
  @IsRunnableConfig()
  config?: Config;

  /** Static run context; the server rejects it together with a non-empty config.configurable. */
  @IsOptional()
  @IsObject()
  context?: Record<string, unknown>;

  @IsOptional()
  @IsIn(DURABILITIES)
  durability?: Durability;

  /** Graph input; absent or null resumes from the current state. */
  @IsOptional()
  @Allow()
  input?: unknown;

  @IsOptional()
  @IsInterruptNodes()
  interrupt_after?: '*' | string[];

  @IsOptional()
  @IsInterruptNodes()
  interrupt_before?: '*' | string[];

  @IsOptional()
  @IsObject()
  metadata?: Metadata;

  @IsOptional()
  @IsIn(MULTITASK_STRATEGIES)
  multitask_strategy?: MultitaskStrategy;

  @IsOptional()
  @IsStreamMode()
  stream_mode?: StreamMode | StreamMode[];

  /** Persist the run's events so a join with Last-Event-ID can replay them. */
  @IsOptional()
  @IsBoolean()
  stream_resumable?: boolean;

  @IsOptional()
  @IsBoolean()
  stream_subgraphs?: boolean;

  /** URL called once the run ends; the server applies its URL policy on top. */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_WEBHOOK_LENGTH)
  webhook?: string;
}
