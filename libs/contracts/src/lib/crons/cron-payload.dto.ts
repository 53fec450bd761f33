import { IsBoolean, IsDateString, IsIn, IsOptional, IsString } from 'class-validator';
import { RunPayloadDto } from '../runs/run-payload.dto';
import { ON_RUN_COMPLETED_ACTIONS, type OnRunCompleted } from './cron.types';

/** The run fields a cron stores as `Cron.payload` and replays at each firing. */
export class CronPayloadDto extends RunPayloadDto {}

/** Scheduling fields that a cron create and update share. */
export class CronScheduleFieldsDto extends CronPayloadDto {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** ISO date-time after which the cron stops firing; null clears it on update. */
  @IsOptional()
  @IsDateString()
  end_time?: string | null;

  /** Stateless crons only (default delete); the server ignores it for thread crons. */
  @IsOptional()
  @IsIn(ON_RUN_COMPLETED_ACTIONS)
  on_run_completed?: OnRunCompleted;

  /** IANA time zone the schedule is read in; UTC when absent. */
  @IsOptional()
  @IsString()
  timezone?: string;
}
